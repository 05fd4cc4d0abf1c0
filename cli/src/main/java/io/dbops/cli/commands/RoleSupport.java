package io.dbops.cli.commands;

import io.dbops.config.ConfigException;
import io.dbops.cli.logging.LoggingSetup;
import java.util.List;

/** Start-up steps shared by the long-running roles. */
final class RoleSupport {
  private RoleSupport() {}

  /** Configures console logging from the environment, or fails listing every problem. */
  static LoggingSetup.Settings consoleLogging() {
    LoggingSetup.Settings settings = LoggingSetup.Settings.fromEnvironment(System.getenv());
    List<String> problems = settings.problems();
    if (!problems.isEmpty()) {
      throw new ConfigException("command line", problems);
    }
    LoggingSetup.toConsole(settings);
    return settings;
  }
}
