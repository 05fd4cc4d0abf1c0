package io.dbops.cli;

import io.dbops.cli.client.ApiCallException;
import io.dbops.cli.logging.LoggingSetup;
import io.dbops.cli.client.ControlPlaneUnreachableException;
import io.dbops.cli.commands.DelegateCommand;
import io.dbops.cli.commands.ExecutionsCommand;
import io.dbops.cli.commands.LogsCommand;
import io.dbops.cli.commands.LiteEngineCommand;
import io.dbops.cli.commands.RunCommand;
import io.dbops.cli.commands.SecretCommand;
import io.dbops.cli.commands.ServerCommand;
import io.dbops.cli.commands.StepRuntimeCommand;
import io.dbops.cli.commands.TokenCommand;
import io.dbops.cli.quickstart.QuickstartCommand;
import io.dbops.cli.step.StepCommandLine;
import io.dbops.pipeline.PipelineException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code dbops} launcher: one distribution, one subcommand per role. */
@Command(
    name = "dbops",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = "Database DevOps: a control plane, a delegate and the processes of a build pod.",
    subcommands = {
      QuickstartCommand.class,
      ServerCommand.class,
      TokenCommand.class,
      SecretCommand.class,
      DelegateCommand.class,
      RunCommand.class,
      ExecutionsCommand.class,
      LogsCommand.class,
      StepCommandLine.class,
      LiteEngineCommand.class,
      StepRuntimeCommand.class,
    })
public final class Main implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the launcher and returns its exit code (see {@link ExitCodes}). */
  public static int run(String... args) {
    // Client commands log warnings only; the long-running roles switch to INFO when they start.
    LoggingSetup.Settings quiet = LoggingSetup.Settings.fromEnvironment(System.getenv()).withDefaultLevel("WARN");
    if (quiet.problems().isEmpty()) {
      LoggingSetup.toConsole(quiet);
    }
    CommandLine commandLine = new CommandLine(new Main());
    commandLine.setExecutionExceptionHandler(Main::handle);
    return commandLine.execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  private static int handle(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    var err = cmd.getErr();
    if (e instanceof ConfigProblems || e instanceof IllegalArgumentException
        || e instanceof io.dbops.config.ConfigException
        || e instanceof io.dbops.liteengine.config.ConfigException
        || e instanceof io.dbops.step.config.ConfigException) {
      err.println(e.getMessage());
      return ExitCodes.CONFIG;
    }
    if (e instanceof PipelineException) {
      err.println(e.getMessage());
      return ExitCodes.DATA_ERR;
    }
    if (e instanceof ControlPlaneUnreachableException) {
      err.println(e.getMessage());
      return ExitCodes.UNAVAILABLE;
    }
    if (e instanceof ApiCallException api) {
      err.println("The control plane refused the request (HTTP " + api.status() + "): " + api.getMessage());
      if (api.status() == 400) {
        return ExitCodes.DATA_ERR;
      }
      return api.status() >= 500 ? ExitCodes.UNAVAILABLE : ExitCodes.FAILED;
    }
    err.println("dbops " + cmd.getCommandName() + " failed: " + e);
    e.printStackTrace(err);
    return ExitCodes.SOFTWARE;
  }
}
