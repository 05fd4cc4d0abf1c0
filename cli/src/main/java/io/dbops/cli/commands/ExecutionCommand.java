package io.dbops.cli.commands;

import io.dbops.api.ExecutionView;
import io.dbops.cli.ExitCodes;
import io.dbops.cli.client.ControlPlaneClient;
import io.dbops.cli.output.ExecutionDetails;
import java.io.PrintStream;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code dbops execution show ID}: one execution, with who started it, targets and delegates. */
@Command(name = "execution", mixinStandardHelpOptions = true, description = "Show one execution.",
    subcommands = {ExecutionCommand.Show.class})
public final class ExecutionCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "Everything the execution records: who started it (identity, token) and from where"
          + " (cli or api), the pipeline, version and inputs; per stage its target, delegate, duration"
          + " and error, per step its outcome and duration; and its events.")
  public static final class Show implements Callable<Integer> {
    @Parameters(paramLabel = "ID", description = "Execution id (as `dbops run` prints it).")
    String id;

    @Mixin ServerOption server;
    @Mixin OutputOption output;

    private final PrintStream out;

    public Show() {
      this(System.out);
    }

    Show(PrintStream out) {
      this.out = out;
    }

    @Override
    public Integer call() {
      boolean json = output.json();
      try (ControlPlaneClient client = new ControlPlaneClient(server.target())) {
        ExecutionView view = client.execution(id);
        if (json) {
          OutputOption.print(out, view);
        } else {
          new ExecutionDetails(out).print(view, Instant.now());
        }
        return ExitCodes.OK;
      }
    }
  }
}
