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
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code dbops run PIPELINE.yaml} (an ad-hoc pipeline file) or {@code dbops run NAME --input
 * ref=v42} (a stored pipeline): submit, follow the logs, exit 0 on success. The exit codes are a
 * public contract (docs/pipelines.md, "Exit codes of dbops run").
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Run a pipeline file or a stored pipeline, follow its logs, exit 0 on success"
        + " and 1 on failure.",
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
  @Parameters(paramLabel = "PIPELINE", description = "A pipeline file (YAML or JSON: an existing"
      + " file, a path or a name ending in .yaml, .yml or .json), else the name of a stored"
      + " pipeline.")
  String pipeline;

  @Mixin ServerOption server;

  @Mixin OutputOption output;

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
    // with --output json, stdout carries one JSON document; the log lines and the summary go to stderr
    PrintStream out = output.json() ? System.err : System.out;
    PrintStream json = output.json() ? System.out : null;
    Path file = Path.of(pipeline);
    if (Files.isRegularFile(file) || looksLikeAFile(pipeline)) {
      if (!inputs.isEmpty() || version != null) {
        throw new ParameterException(spec.commandLine(), "--input and --pipeline-version apply to"
            + " stored pipelines; " + pipeline + " is a pipeline file");
      }
      Pipeline loaded = new PipelineLoader().load(file);
      try (ControlPlaneClient client = new ControlPlaneClient(server.target())) {
        return submitAndFollow(client, loaded, out, noFollow, json);
      }
    }
    long started = System.nanoTime();
    JsonNode run;
    try (CatalogClient catalog = new CatalogClient(server.target())) {
      run = catalog.run(pipeline, inputs, version);
    }
    try (ControlPlaneClient client = new ControlPlaneClient(server.target())) {
      String id = run.path("id").asText();
      String what = "pipeline " + pipeline + " version " + run.path("version").asInt();
      return followSubmitted(client, id, what, out, noFollow, json, started);
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
    return followSubmitted(client, id, "pipeline " + pipeline.name(), out, noFollow, json, started);
  }

  private static int followSubmitted(ControlPlaneClient client, String id, String what,
      PrintStream out, boolean noFollow, PrintStream json, long started) {
    String submitted = "Execution " + id + " of " + what + " submitted to " + client.baseUrl();
    if (noFollow) {
      out.println(submitted);
      out.flush();
      if (json != null) {
        OutputOption.print(json, Map.of("id", id));
      }
      return ExitCodes.OK;
    }
    ExecutionView finished;
    // From the moment the id is known: Ctrl-C says the execution continues and how to reach it.
    try (InterruptNotice ignored = InterruptNotice.install(id, System.err)) {
      out.println(submitted);
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
