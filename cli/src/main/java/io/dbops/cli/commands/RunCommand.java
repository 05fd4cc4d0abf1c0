package io.dbops.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.api.ExecutionView;
import io.dbops.cli.ExitCodes;
import io.dbops.cli.client.CatalogClient;
import io.dbops.cli.client.ControlPlaneClient;
import io.dbops.cli.output.ExecutionFollower;
import io.dbops.cli.output.SummaryPrinter;
import io.dbops.pipeline.Pipeline;
import io.dbops.pipeline.PipelineLoader;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code dbops run PIPELINE.yaml} (an ad-hoc pipeline file) or {@code dbops run NAME --input
 * ref=v42} (a stored pipeline): submit, follow the logs, exit 0 on success.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run a pipeline file or a stored pipeline, follow its logs, exit 0 on success"
        + " and 1 on failure.")
public final class RunCommand implements Callable<Integer> {
  @Parameters(paramLabel = "PIPELINE", description = "A pipeline file (YAML or JSON: an existing"
      + " file, a path or a name ending in .yaml, .yml or .json), else the name of a stored"
      + " pipeline.")
  String pipeline;

  @picocli.CommandLine.Mixin ServerOption server;

  @Option(names = "--no-follow", description = "Print the execution id and return without waiting.")
  boolean noFollow;

  @Option(names = "--input", paramLabel = "NAME=VALUE",
      description = "A stored pipeline's input (repeat for several).")
  Map<String, String> inputs = new LinkedHashMap<>();

  @Option(names = "--pipeline-version", paramLabel = "N",
      description = "Run this version of the stored pipeline (default: the latest).")
  Integer version;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    Path file = Path.of(pipeline);
    if (Files.isRegularFile(file) || looksLikeAFile(pipeline)) {
      if (!inputs.isEmpty() || version != null) {
        throw new ParameterException(spec.commandLine(), "--input and --pipeline-version apply to"
            + " stored pipelines; " + pipeline + " is a pipeline file");
      }
      Pipeline loaded = new PipelineLoader().load(file);
      try (ControlPlaneClient client = new ControlPlaneClient(server.target())) {
        return submitAndFollow(client, loaded, System.out, noFollow);
      }
    }
    long started = System.nanoTime();
    JsonNode run;
    try (CatalogClient catalog = new CatalogClient(server.target())) {
      run = catalog.run(pipeline, inputs, version);
    }
    try (ControlPlaneClient client = new ControlPlaneClient(server.target())) {
      String id = run.path("id").asText();
      System.out.println("Execution " + id + " of pipeline " + pipeline + " version "
          + run.path("version").asInt() + " submitted to " + client.baseUrl());
      System.out.flush();
      return noFollow ? ExitCodes.OK : follow(client, id, System.out, started);
    }
  }

  /** A path or a YAML/JSON file name is a file even when missing (the loader says so). */
  static boolean looksLikeAFile(String argument) {
    return argument.contains("/") || argument.contains("\\")
        || argument.matches("(?i).*\\.(ya?ml|json)");
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
    return follow(client, id, out, started);
  }

  private static int follow(ControlPlaneClient client, String id, PrintStream out, long started) {
    ExecutionView finished = new ExecutionFollower(client, out).follow(id);
    new SummaryPrinter(out).print(finished, Duration.ofNanos(System.nanoTime() - started));
    return "SUCCEEDED".equals(finished.status()) ? ExitCodes.OK : ExitCodes.FAILED;
  }
}
