package io.dbops.cli;

import io.dbops.cli.client.ApiCallException;
import io.dbops.cli.logging.LoggingSetup;
import io.dbops.cli.client.ControlPlaneUnreachableException;
import io.dbops.cli.commands.AbortCommand;
import io.dbops.cli.commands.DiffCommand;
import io.dbops.cli.commands.RefreshCommand;
import io.dbops.cli.commands.StateCommand;
import io.dbops.cli.commands.AccessCommand;
import io.dbops.cli.commands.ApplyCommand;
import io.dbops.cli.commands.DescribeCommand;
import io.dbops.cli.commands.GetCommand;
import io.dbops.cli.commands.ApproveCommand;
import io.dbops.cli.commands.AuditCommand;
import io.dbops.cli.commands.DelegateCommand;
import io.dbops.cli.commands.DelegatesCommand;
import io.dbops.cli.commands.ExecutionCommand;
import io.dbops.cli.commands.ExecutionsCommand;
import io.dbops.cli.commands.LogsCommand;
import io.dbops.cli.commands.LiteEngineCommand;
import io.dbops.cli.commands.LoginCommand;
import io.dbops.cli.commands.LogoutCommand;
import io.dbops.cli.commands.WhoamiCommand;
import io.dbops.cli.commands.ResumeCommand;
import io.dbops.cli.commands.RetryCommand;
import io.dbops.cli.commands.RunCommand;
import io.dbops.cli.commands.SecretCommand;
import io.dbops.cli.commands.WebhookCommand;
import io.dbops.cli.commands.NotificationCommand;
import io.dbops.cli.commands.ServerCommand;
import io.dbops.cli.commands.StepRuntimeCommand;
import io.dbops.cli.commands.TokenCommand;
import io.dbops.cli.quickstart.QuickstartCommand;
import io.dbops.cli.step.StepCommandLine;
import io.dbops.config.ConfigException;
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
      LoginCommand.class,
      LogoutCommand.class,
      WhoamiCommand.class,
      AccessCommand.class,
      AuditCommand.class,
      TokenCommand.class,
      SecretCommand.class,
      WebhookCommand.class,
      NotificationCommand.class,
      DelegateCommand.class,
      ApplyCommand.class,
      GetCommand.class,
      DescribeCommand.class,
      RunCommand.class,
      ExecutionsCommand.class,
      StateCommand.class,
      DiffCommand.class,
      RefreshCommand.class,
      ExecutionCommand.class,
      AbortCommand.class,
      DelegatesCommand.class,
      ApproveCommand.class,
      ResumeCommand.class,
      RetryCommand.class,
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
    try {
      LoggingSetup.toConsole(LoggingSetup.Settings.fromEnvironment(System.getenv(), "WARN"));
    } catch (ConfigException e) {
      // Reported by the long-running roles, which need valid logging settings; clients go on.
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
    if (e instanceof ConfigException config) {
      err.println("Invalid " + config.component() + " configuration:\n  - "
          + String.join("\n  - ", config.problems()));
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
      if (api.status() == 401 || api.status() == 403) {
        return ExitCodes.NO_PERMISSION;
      }
      return api.status() >= 500 ? ExitCodes.UNAVAILABLE : ExitCodes.FAILED;
    }
    // Anything else is a bug, not a configuration problem: say so, with the trace.
    err.println("dbops " + cmd.getCommandName() + " failed with an internal error (a bug; please report it"
        + " with this trace): " + e);
    e.printStackTrace(err);
    return ExitCodes.SOFTWARE;
  }
}
