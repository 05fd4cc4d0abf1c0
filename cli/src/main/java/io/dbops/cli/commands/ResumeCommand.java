package io.dbops.cli.commands;

import io.dbops.api.ExecutionView;
import io.dbops.cli.ExitCodes;
import io.dbops.cli.client.ControlPlaneClient;
import io.dbops.cli.output.ExecutionFollower;
import io.dbops.cli.output.SummaryPrinter;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dbops resume EXECUTION --retry|--rollback|--abort}: an operator's decision on an execution
 * a stage with {@code onFailure: pause} paused (docs/environments.md, "Failure strategies").
 */
@Command(name = "resume", mixinStandardHelpOptions = true,
    description = {"Decide on a PAUSED execution: retry the failed step, roll the stage's target back to the"
        + " pre-start tag (then fail), or abort. Then follow it to the end (exit 0 on success, 1 on failure).",
        "Needs a token with the run verb (deployer)."})
public final class ResumeCommand implements Callable<Integer> {
  @Parameters(paramLabel = "EXECUTION", description = "The paused execution's id.")
  String executionId;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Action action;

  @Option(names = "--no-follow", description = "Return once the decision is accepted.")
  boolean noFollow;

  @Mixin ServerOption server;

  static final class Action {
    @Option(names = "--retry", required = true, description = "Run the failed step again in the same build pod"
        + " (fix the cause first).")
    boolean retry;

    @Option(names = "--rollback", required = true, description = "Roll the target back to the tag each apply of"
        + " the stage recorded before it started, then fail the stage.")
    boolean rollback;

    @Option(names = "--abort", required = true, description = "Fail the stage and delete its build pod.")
    boolean abort;

    String name() {
      return retry ? "retry" : rollback ? "rollback" : "abort";
    }
  }

  @Override
  public Integer call() {
    try (ControlPlaneClient client = new ControlPlaneClient(server.target())) {
      return resume(client, System.out);
    }
  }

  int resume(ControlPlaneClient client, PrintStream out) {
    long started = System.nanoTime();
    client.resume(executionId, action.name());
    out.println("Execution " + executionId + ": " + action.name() + " accepted.");
    out.flush();
    if (noFollow) {
      out.println("Follow it with `dbops logs -f " + executionId + "`.");
      return ExitCodes.OK;
    }
    ExecutionView finished = new ExecutionFollower(client, out).follow(executionId);
    new SummaryPrinter(out).print(finished, Duration.ofNanos(System.nanoTime() - started));
    return "SUCCEEDED".equals(finished.status()) ? ExitCodes.OK : ExitCodes.FAILED;
  }
}
