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
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dbops run PIPELINE.yaml}: submit, follow the logs, exit 0 on success. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Submit a pipeline, follow its logs, exit 0 on success and 1 on failure.")
public final class RunCommand implements Callable<Integer> {
  @Parameters(paramLabel = "PIPELINE", description = "Pipeline file (YAML or JSON).")
  Path pipelineFile;

  @picocli.CommandLine.Mixin ServerOption server;

  @Option(names = "--no-follow", description = "Print the execution id and return without waiting.")
  boolean noFollow;

  @Override
  public Integer call() {
    Pipeline pipeline = new PipelineLoader().load(pipelineFile);
    try (ControlPlaneClient client = new ControlPlaneClient(server.target())) {
      return submitAndFollow(client, pipeline, System.out, noFollow);
    }
  }

  /** Submits, prints the execution id first (for scripts), follows and summarises. */
  public static int submitAndFollow(
      ControlPlaneClient client, Pipeline pipeline, PrintStream out, boolean noFollow) {
    long started = System.nanoTime();
    String id = client.submit(pipeline);
    out.println("Execution " + id + " of pipeline " + pipeline.name() + " submitted to " + client.baseUrl());
    out.flush();
    if (noFollow) {
      return ExitCodes.OK;
    }
    ExecutionView finished = new ExecutionFollower(client, out).follow(id);
    new SummaryPrinter(out).print(finished, Duration.ofNanos(System.nanoTime() - started));
    return "SUCCEEDED".equals(finished.status()) ? ExitCodes.OK : ExitCodes.FAILED;
  }
}
