package io.dbops.cli.commands;

import io.dbops.api.ExecutionView;
import io.dbops.cli.ExitCodes;
import io.dbops.cli.client.ControlPlaneClient;
import io.dbops.cli.output.ExecutionFollower;
import io.dbops.cli.output.SummaryPrinter;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dbops retry EXECUTION [--failed]}: a new execution of a finished rollout's pipeline over
 * only the targets that did not succeed (docs/fleet-rollouts.md "Retry").
 */
@Command(name = "retry", mixinStandardHelpOptions = true,
    description = {"Retry a finished rollout: a new execution of the same pipeline whose rollout stages run"
        + " only the failed and rolled-back targets (--failed), or also the skipped ones (without it).",
        "Then follow it to the end (exit 0 on success, 1 on failure). Needs a token with the run verb (deployer)."})
public final class RetryCommand implements Callable<Integer> {
  @Parameters(paramLabel = "EXECUTION", description = "The finished rollout execution's id.")
  String executionId;

  @Option(names = "--failed", description = "Only the FAILED and ROLLED_BACK targets, not the SKIPPED ones.")
  boolean failedOnly;

  @Option(names = "--no-follow", description = "Return once the new execution is accepted.")
  boolean noFollow;

  @Mixin ServerOption server;

  @Override
  public Integer call() {
    try (ControlPlaneClient client = new ControlPlaneClient(server.target())) {
      return retry(client, System.out);
    }
  }

  int retry(ControlPlaneClient client, PrintStream out) {
    long started = System.nanoTime();
    String id = client.retry(executionId, failedOnly);
    out.println("Execution " + id + " retries the " + (failedOnly ? "failed" : "failed and skipped")
        + " targets of " + executionId + ".");
    out.flush();
    if (noFollow) {
      out.println("Follow it with `dbops logs -f " + id + "`; see its targets with `dbops execution show " + id + "`.");
      return ExitCodes.OK;
    }
    ExecutionView finished = new ExecutionFollower(client, out).follow(id);
    new SummaryPrinter(out).print(finished, Duration.ofNanos(System.nanoTime() - started));
    return "SUCCEEDED".equals(finished.status()) ? ExitCodes.OK : ExitCodes.FAILED;
  }
}
