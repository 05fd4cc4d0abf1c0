package io.dbops.cli.commands;

import io.dbops.cli.logging.LoggingSetup;
import io.dbops.secrets.ConsoleMasking;
import java.util.Map;

/** Start-up steps shared by the long-running roles. */
final class RoleSupport {
  private RoleSupport() {}

  /** Configures console logging from the environment, or fails listing every problem. */
  static LoggingSetup.Settings consoleLogging() {
    return consoleLogging(System.getenv());
  }

  /** Configures console logging from {@code env} (a warm pod process: each binding's), or fails listing every problem. */
  static LoggingSetup.Settings consoleLogging(Map<String, String> env) {
    LoggingSetup.Settings settings = LoggingSetup.Settings.fromEnvironment(env);
    LoggingSetup.toConsole(settings);
    return settings;
  }

  /**
   * The console of a warm pod process's binding: its secrets masked and its logging settings, as a
   * cold process started with that environment would have them.
   */
  static void bindingConsole(Map<String, String> env) {
    ConsoleMasking.install(env);
    consoleLogging(env);
  }
}
