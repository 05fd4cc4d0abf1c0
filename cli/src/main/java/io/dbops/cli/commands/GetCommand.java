package io.dbops.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.cli.client.CatalogClient;
import io.dbops.support.Json;
import io.dbops.support.Secrets;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code dbops get environments|targets|pipelines [NAME]}: stored objects, one line each. */
@Command(name = "get", mixinStandardHelpOptions = true,
    description = "List stored environments, targets or pipelines (one line each).")
public final class GetCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "KIND", description = "environments, targets or pipelines.")
  String kind;

  @Parameters(index = "1", arity = "0..1", paramLabel = "NAME", description = "Only this one.")
  String name;

  @Mixin OutputOption output;

  @Mixin ServerOption server;

  @Spec CommandSpec spec;

  private final PrintStream out;

  public GetCommand() {
    this(System.out);
  }

  GetCommand(PrintStream out) {
    this.out = out;
  }

  @Override
  public Integer call() {
    String plural = plural(kind);
    if (plural == null) {
      throw new ParameterException(spec.commandLine(), "KIND must be environments, targets or"
          + " pipelines, not '" + kind + "'");
    }
    try (CatalogClient client = new CatalogClient(server.target())) {
      JsonNode answer = name == null ? client.list(plural) : client.get(plural, name);
      if (output.json()) {
        out.println(Json.write(answer));
        return 0;
      }
      List<JsonNode> objects = new ArrayList<>();
      if (answer.isArray()) {
        answer.forEach(objects::add);
      } else {
        objects.add(answer);
      }
      print(plural, objects, out);
      return 0;
    }
  }

  /** The plural the API uses for {@code kind} (singular or plural, any case); null for none. */
  static String plural(String kind) {
    String k = kind.toLowerCase(Locale.ROOT);
    for (String p : List.of("environments", "targets", "pipelines")) {
      if (p.equals(k) || p.equals(k + "s")) {
        return p;
      }
    }
    return null;
  }

  static void print(String plural, List<JsonNode> objects, PrintStream out) {
    switch (plural) {
      case "environments" -> {
        String row = "%-20s %-6s %-28s %-8s %-10s %-8s %s%n";
        out.printf(row, "NAME", "ORDER", "APPROVAL", "POLICY", "DRIFT GATE", "REFRESH", "DELEGATE SELECTORS");
        for (JsonNode o : objects) {
          JsonNode p = o.path("spec").path("protection");
          JsonNode refresh = o.path("spec").path("refreshMinutes");
          out.printf(row, o.path("name").asText(), o.path("spec").path("order").asInt(0),
              approval(p.path("approval")), p.path("requirePolicy").asBoolean() ? "required" : "-",
              p.path("driftGate").asBoolean() ? "on" : "-", refresh.isInt() ? refresh.asInt() + " min" : "-",
              list(p.path("delegateSelectors")));
        }
      }
      case "targets" -> {
        String row = "%-24s %-14s %-44s %s%n";
        out.printf(row, "NAME", "ENVIRONMENT", "URL", "LABELS");
        for (JsonNode o : objects) {
          JsonNode s = o.path("spec");
          List<String> labels = new ArrayList<>();
          s.path("labels").fields().forEachRemaining(e -> labels.add(e.getKey() + "="
              + e.getValue().asText()));
          out.printf(row, o.path("name").asText(), s.path("environment").asText(),
              Secrets.maskUrl(s.path("url").asText()), labels.isEmpty() ? "-"
                  : String.join(",", labels));
        }
      }
      default -> {
        String row = "%-24s %-8s %-30s %-24s %s%n";
        out.printf(row, "NAME", "VERSION", "TARGETS", "INPUTS", "UPDATED");
        for (JsonNode o : objects) {
          List<String> targets = new ArrayList<>();
          o.path("spec").path("stages").forEach(st -> targets.add(st.path("target").asText()));
          List<String> inputs = new ArrayList<>();
          o.path("spec").path("inputs").forEach(i -> inputs.add(i.path("name").asText()
              + (i.path("required").asBoolean() ? "*" : "")));
          out.printf(row, o.path("name").asText(), o.path("version").asInt(),
              String.join(",", targets), inputs.isEmpty() ? "-" : String.join(",", inputs),
              o.path("updatedAt").asText() + " by " + o.path("updatedBy").asText());
        }
      }
    }
    out.flush();
  }

  private static String approval(JsonNode a) {
    if (a.isMissingNode() || a.isNull()) {
      return "-";
    }
    List<String> roles = new ArrayList<>();
    a.path("roles").forEach(r -> roles.add(r.asText()));
    return a.path("required").asInt(1) + " of " + (roles.isEmpty() ? "approver"
        : String.join("/", roles));
  }

  private static String list(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(v -> values.add(v.asText()));
    return values.isEmpty() ? "-" : String.join(",", values);
  }
}
