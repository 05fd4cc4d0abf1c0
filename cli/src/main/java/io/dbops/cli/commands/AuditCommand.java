package io.dbops.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.cli.ExitCodes;
import io.dbops.cli.client.ControlPlaneClient;
import io.dbops.support.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dbops audit [filters]} lists the audit log; {@code dbops audit verify} checks its hash chain (admin). */
@Command(name = "audit", mixinStandardHelpOptions = true,
    description = "List the audit log, newest first (admin).", subcommands = AuditCommand.Verify.class)
public final class AuditCommand implements Callable<Integer> {
  private static final String ROW = "%-8s %-24s %-20s %-24s %-28s %-16s %s%n";

  @Mixin ServerOption server;

  @Option(names = "--actor", description = "Only entries of this identity (token name or id).")
  String actor;

  @Option(names = "--action", description = "Only this action, e.g. secret.put or execution.submit.")
  String action;

  @Option(names = "--target", description = "Only entries about this target (an id or name).")
  String target;

  @Option(names = "--since", description = "Only entries at or after this ISO-8601 instant.")
  String since;

  @Option(names = "--limit", defaultValue = "100", description = "At most this many (default ${DEFAULT-VALUE}).")
  int limit;

  @Option(names = {"-o", "--output"}, defaultValue = "text", description = "text or json (default ${DEFAULT-VALUE}).")
  String output;

  @Override
  public Integer call() {
    Map<String, String> filters = new LinkedHashMap<>();
    filters.put("actor", actor);
    filters.put("action", action);
    filters.put("target", target);
    filters.put("since", since);
    filters.put("limit", Integer.toString(limit));
    try (ControlPlaneClient client = new ControlPlaneClient(server.target())) {
      JsonNode entries = client.audit(filters);
      if ("json".equals(output)) {
        System.out.println(Json.write(entries));
        return 0;
      }
      System.out.printf(ROW, "SEQ", "AT", "ACTOR", "ACTION", "TARGET", "ADDRESS", "OUTCOME");
      for (JsonNode e : entries) {
        System.out.printf(ROW, e.path("seq").asText(), e.path("at").asText(), e.path("actor").asText(),
            e.path("action").asText(), e.path("target").asText(), e.path("address").asText(),
            e.path("outcome").asText());
      }
      return 0;
    }
  }

  @Command(name = "verify", mixinStandardHelpOptions = true,
      description = "Recompute the audit log's hash chain; exit 1 naming the first edited, removed or reordered entry.")
  static final class Verify implements Callable<Integer> {
    @Mixin ServerOption server;

    @Override
    public Integer call() {
      try (ControlPlaneClient client = new ControlPlaneClient(server.target())) {
        JsonNode result = client.verifyAudit();
        if (result.path("ok").asBoolean()) {
          System.out.println("Audit log intact: " + result.path("entries").asLong() + " entries, hash chain verified.");
          return ExitCodes.OK;
        }
        JsonNode bad = result.path("firstBad");
        System.out.println("Audit log BROKEN at entry " + bad.path("seq").asText() + ": " + bad.path("reason").asText()
            + " (" + result.path("entries").asLong() + " entries checked).");
        return ExitCodes.FAILED;
      }
    }
  }
}
