package io.dbops.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.api.ExecutionView;
import io.dbops.cli.client.ControlPlaneClient;
import io.dbops.cli.output.LogClient;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dbops executions}: recent runs with status, duration and, for running ones, progress. */
@Command(name = "executions", mixinStandardHelpOptions = true, description = "List recent executions.")
public final class ExecutionsCommand implements Callable<Integer> {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());
  private static final String ROW = "%-16s %-20s %-10s %-20s %-18s %s%n";

  @Mixin ServerOption server;
  @Mixin OutputOption output;

  @Option(names = "--limit", defaultValue = "20", description = "How many (default ${DEFAULT-VALUE}).")
  int limit;

  @Option(names = "--waiting", description = "Only the approvals that wait for you (that you may approve now).")
  boolean waiting;

  private final PrintStream out;

  public ExecutionsCommand() {
    this(System.out);
  }

  ExecutionsCommand(PrintStream out) {
    this.out = out;
  }

  @Override
  public Integer call() {
    boolean json = output.json();
    if (json) {
      try (ControlPlaneClient client = new ControlPlaneClient(server.target())) {
        OutputOption.print(out, client.executions(limit));
        return 0;
      }
    }
    try (ControlPlaneClient client = new ControlPlaneClient(server.target());
        LogClient logs = new LogClient(server.target())) {
      if (waiting) {
        ApproveCommand.printWaiting(out, client.waitingApprovals(true));
        return 0;
      }
      out.printf(ROW, "ID", "PIPELINE", "STATUS", "CREATED", "DURATION", "PROGRESS");
      for (ExecutionView e : client.executions(limit)) {
        String progress = "RUNNING".equals(e.status()) ? progress(e.id(), logs.streams(e.id())) : "";
        out.printf(ROW, e.id(), e.pipelineName(), e.status(),
            e.createdAt() == null ? "" : TIME.format(e.createdAt()), duration(e), progress);
      }
      out.flush();
      return 0;
    }
  }

  static String duration(ExecutionView e) {
    if (e.startedAt() == null) {
      return "";
    }
    Instant end = e.finishedAt() != null ? e.finishedAt() : Instant.now();
    Duration d = Duration.between(e.startedAt(), end);
    String text = String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    return e.finishedAt() == null ? text + " (running)" : text;
  }

  private static Instant updatedAt(JsonNode stream) {
    try {
      return Instant.parse(stream.path("updatedAt").asText());
    } catch (java.time.format.DateTimeParseException e) {
      return Instant.EPOCH;
    }
  }

  /** "dev/apply: changeset 3 of 10" for the open stream that reported progress last; empty when none did. */
  static String progress(String executionId, List<JsonNode> streams) {
    JsonNode latest = null;
    for (JsonNode s : streams) {
      if (!s.path("closed").asBoolean() && s.path("progress").isObject()
          && (latest == null || !updatedAt(s).isBefore(updatedAt(latest)))) {
        latest = s;
      }
    }
    if (latest == null) {
      return "";
    }
    JsonNode p = latest.path("progress");
    String source = latest.path("stream").asText().replaceFirst("^executions/" + executionId + "/", "");
    int total = p.path("total").asInt();
    return source + ": changeset " + p.path("done").asInt() + (total > 0 ? " of " + total : "");
  }
}
