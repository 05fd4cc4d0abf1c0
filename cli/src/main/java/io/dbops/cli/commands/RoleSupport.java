package io.dbops.cli.commands;

import io.dbops.cli.logging.LoggingSetup;

/** Start-up steps shared by the long-running roles. */
final class RoleSupport {
  private RoleSupport() {}

  /** Configures console logging from the environment, or fails listing every problem. */
  static LoggingSetup.Settings consoleLogging() {
    LoggingSetup.Settings settings = LoggingSetup.Settings.fromEnvironment(System.getenv());
    LoggingSetup.toConsole(settings);
    return settings;
  }
}
