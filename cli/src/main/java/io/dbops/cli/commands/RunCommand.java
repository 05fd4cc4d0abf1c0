package io.dbops.cli.commands;

import io.dbops.api.ExecutionView;
import io.dbops.cli.ExitCodes;
import io.dbops.cli.client.ControlPlaneClient;
import io.dbops.cli.output.ExecutionFollower;
import io.dbops.cli.output.SummaryPrinter;
import io.dbops.pipeline.Pipeline;
import io.dbops.pipeline.PipelineLoader;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dbops run PIPELINE.yaml}: submit, follow the logs, exit 0 on success. The exit codes are
 * a public contract (docs/pipelines.md, "Exit codes of dbops run").
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Submit a pipeline, follow its logs, exit 0 on success and 1 on failure.",
        "Ctrl-C stops following only: the execution continues on the server (`dbops logs -f ID`"
            + " follows it again, `dbops abort ID` stops it)."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        " 0:the execution SUCCEEDED (with --no-follow: it was accepted)",
        " 1:the execution FAILED (a step failed, no delegate could take a stage, or it was aborted)",
        " 2:invalid command line",
        "65:invalid pipeline file (every problem is listed), or the control plane refused it (400)",
        "69:the control plane is unreachable or failed (5xx)",
        "70:internal error (a bug; the trace is printed)",
        "77:the API token is missing or not allowed to run (401/403)",
        "78:invalid configuration (for example --output)",
        "130:interrupted (Ctrl-C); the execution continues on the server"})
public final class RunCommand implements Callable<Integer> {
  @Parameters(paramLabel = "PIPELINE", description = "Pipeline file (YAML or JSON).")
  Path pipelineFile;

  @Mixin ServerOption server;

  @Mixin OutputOption output;

  @Option(names = "--no-follow", description = "Print the execution id and return without waiting.")
  boolean noFollow;

  @Override
  public Integer call() {
    boolean json = output.json();
    Pipeline pipeline = new PipelineLoader().load(pipelineFile);
    try (ControlPlaneClient client = new ControlPlaneClient(server.target())) {
      if (!json) {
        return submitAndFollow(client, pipeline, System.out, noFollow);
      }
      // stdout carries one JSON document; the log lines and the summary go to stderr
      return submitAndFollow(client, pipeline, System.err, noFollow, System.out);
    }
  }

  /** Submits, prints the execution id first (for scripts), follows and summarises. */
  public static int submitAndFollow(
      ControlPlaneClient client, Pipeline pipeline, PrintStream out, boolean noFollow) {
    return submitAndFollow(client, pipeline, out, noFollow, null);
  }

  /**
   * As {@link #submitAndFollow(ControlPlaneClient, Pipeline, PrintStream, boolean)}; with
   * {@code json} not null, the final execution (with {@code --no-follow}: its id) is printed there
   * as JSON.
   */
  static int submitAndFollow(ControlPlaneClient client, Pipeline pipeline, PrintStream out,
      boolean noFollow, PrintStream json) {
    long started = System.nanoTime();
    String id = client.submit(pipeline);
    if (noFollow) {
      out.println("Execution " + id + " of pipeline " + pipeline.name() + " submitted to "
          + client.baseUrl());
      out.flush();
      if (json != null) {
        OutputOption.print(json, Map.of("id", id));
      }
      return ExitCodes.OK;
    }
    ExecutionView finished;
    // From the moment the id is known: Ctrl-C says the execution continues and how to reach it.
    try (InterruptNotice ignored = InterruptNotice.install(id, System.err)) {
      out.println("Execution " + id + " of pipeline " + pipeline.name() + " submitted to "
          + client.baseUrl());
      out.flush();
      finished = new ExecutionFollower(client, out).follow(id);
    }
    new SummaryPrinter(out).print(finished, Duration.ofNanos(System.nanoTime() - started));
    if (json != null) {
      OutputOption.print(json, finished);
    }
    return "SUCCEEDED".equals(finished.status()) ? ExitCodes.OK : ExitCodes.FAILED;
  }
}
