package io.dbops.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.cli.client.TriggerClient;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What {@code dbops webhook} and {@code dbops notification} do alike on their collection
 * ({@code webhooks} or {@code notifications}): create with a secret shown once, list and the
 * delivery log as JSON or a table, delete.
 */
final class TriggerRequests {
  private final ServerOption server;
  private final String collection;
  private final PrintStream out;

  TriggerRequests(ServerOption server, String collection, PrintStream out) {
    this.server = server;
    this.collection = collection;
    this.out = out;
  }

  /**
   * Creates from {@code body} and prints {@code summary} of the answer, then a generated secret
   * once, introduced by {@code secretHint}; JSON prints the answer as it is.
   */
  int create(Map<String, Object> body, boolean json, Function<JsonNode, String> summary, String secretHint) {
    try (TriggerClient client = new TriggerClient(server.target(), collection)) {
      JsonNode created = client.create(body);
      if (json) {
        OutputOption.print(out, created);
        return 0;
      }
      out.println(summary.apply(created));
      if (created.hasNonNull("secret")) {
        out.println("Secret (shown once; " + secretHint + "):");
        out.println(created.path("secret").asText());
      }
      out.flush();
      return 0;
    }
  }

  /** Lists the collection: JSON, or a table of {@code columns} under {@code headers}. */
  int list(boolean json, Table table) {
    try (TriggerClient client = new TriggerClient(server.target(), collection)) {
      return print(client.list(), json, table);
    }
  }

  /** The delivery log of {@code name}, at most {@code limit} rows: JSON, or a table. */
  int deliveries(String name, int limit, boolean json, Table table) {
    try (TriggerClient client = new TriggerClient(server.target(), collection)) {
      return print(client.deliveries(name, limit), json, table);
    }
  }

  /** Deletes {@code name} and prints {@code done}. */
  int delete(String name, String done) {
    try (TriggerClient client = new TriggerClient(server.target(), collection)) {
      client.delete(name);
      out.println(done);
      out.flush();
      return 0;
    }
  }

  private int print(JsonNode rows, boolean json, Table table) {
    if (json) {
      OutputOption.print(out, rows);
      return 0;
    }
    out.printf(table.row(), table.headers());
    for (JsonNode r : rows) {
      out.printf(table.row(), table.columns().apply(r));
    }
    out.flush();
    return 0;
  }

  /** A table: its printf row format, its headers and each row's columns. */
  record Table(String row, Object[] headers, Function<JsonNode, Object[]> columns) {}

  /** The values of a JSON list joined with commas; {@code *} for an empty one. */
  static String join(JsonNode list) {
    List<String> values = new ArrayList<>();
    list.forEach(v -> values.add(v.asText()));
    return values.isEmpty() ? "*" : String.join(",", values);
  }
}
