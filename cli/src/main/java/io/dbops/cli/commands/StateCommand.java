package io.dbops.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.cli.client.StateClient;
import io.dbops.support.Json;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dbops state TARGET [--pipeline P] [-o json]}: the recorded migration state of a target
 * (docs/fleet-state.md): a summary, then one line per changeset of its history and, when a
 * pipeline's status or preview ran, what that pipeline would still apply.
 */
@Command(name = "state", mixinStandardHelpOptions = true,
    description = "Show the recorded migration state of a target: applied changesets, pending, last deployment, drift.")
public final class StateCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "TARGET", description = "The stored target.")
  String target;

  @Option(names = "--pipeline", paramLabel = "P", description = "Only what pipeline P would still apply.")
  String pipeline;

  @Mixin OutputOption output;

  @Mixin ServerOption server;

  private final PrintStream out;

  public StateCommand() {
    this(System.out);
  }

  StateCommand(PrintStream out) {
    this.out = out;
  }

  @Override
  public Integer call() {
    try (StateClient client = new StateClient(server.target())) {
      JsonNode state = client.target(target);
      if (pipeline != null && state.path("pending").isArray()) {
        var filtered = Json.mapper().createArrayNode();
        state.path("pending").forEach(p -> {
          if (pipeline.equals(p.path("pipeline").asText())) {
            filtered.add(p);
          }
        });
        ((com.fasterxml.jackson.databind.node.ObjectNode) state).set("pending", filtered);
      }
      if (output.json()) {
        out.println(Json.write(state));
        return 0;
      }
      print(state, out);
      return 0;
    }
  }

  static void print(JsonNode s, PrintStream out) {
    out.println("Target:          " + s.path("target").asText());
    out.println("Environment:     " + s.path("environment").asText());
    out.println("Refreshed:       " + text(s.path("refreshedAt"), "never"));
    JsonNode last = s.path("lastDeployment");
    out.println("Last deployment: " + (last.isObject() ? last.path("executionId").asText() + " "
        + last.path("pipeline").asText() + " " + last.path("status").asText() + " at "
        + text(last.path("finishedAt"), "?") : "none recorded"));
    JsonNode drift = s.path("drift");
    out.println("Drift:           " + drift.path("status").asText("unknown")
        + (drift.path("checkedAt").isTextual() ? " (checked " + drift.path("checkedAt").asText() + ", execution "
            + drift.path("executionId").asText() + ")" : ""));
    drift.path("differences").forEach(d -> out.println("                   " + d.asText()));
    List<String> tags = new ArrayList<>();
    s.path("tags").forEach(t -> tags.add(t.asText()));
    out.println("Tags:            " + (tags.isEmpty() ? "none" : String.join(", ", tags)));
    out.println();
    out.println(s.path("changesets").size() + " applied changeset(s), oldest first:");
    out.printf("%5s  %-23s  %-8s  %-50s  %-16s  %s%n", "ORDER", "EXECUTED", "TYPE", "CHANGESET", "EXECUTION", "TAG");
    for (JsonNode c : s.path("changesets")) {
      out.printf("%5d  %-23s  %-8s  %-50s  %-16s  %s%n", c.path("orderExecuted").asInt(),
          c.path("dateExecuted").asText(), c.path("execType").asText(),
          c.path("file").asText() + "::" + c.path("id").asText() + "::" + c.path("author").asText(),
          text(c.path("executionId"), "(outside dbops)"), c.path("tag").asText(""));
    }
    for (JsonNode p : s.path("pending")) {
      out.println();
      out.println("Pending for pipeline " + p.path("pipeline").asText() + " (as of " + p.path("asOf").asText()
          + ", execution " + p.path("executionId").asText() + "): " + p.path("changesets").size() + " changeset(s)");
      p.path("changesets").forEach(c -> out.println("  " + c.path("file").asText() + "::"
          + c.path("id").asText() + "::" + c.path("author").asText()));
    }
    out.flush();
  }

  private static String text(JsonNode node, String otherwise) {
    return node == null || node.isNull() || node.isMissingNode() ? otherwise : node.asText();
  }
}
