package io.dbops.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.cli.client.ControlPlaneClient;
import io.dbops.support.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dbops whoami}: the identity, roles and limits of the API token the CLI uses. */
@Command(name = "whoami", mixinStandardHelpOptions = true, description = "Show who the API token belongs to.")
public final class WhoamiCommand implements Callable<Integer> {
  @Mixin ServerOption server;

  @Option(names = {"-o", "--output"}, defaultValue = "text", description = "text or json (default ${DEFAULT-VALUE}).")
  String output;

  @Override
  public Integer call() {
    try (ControlPlaneClient client = new ControlPlaneClient(server.target())) {
      JsonNode me = client.whoami();
      if ("json".equals(output)) {
        System.out.println(Json.write(me));
        return 0;
      }
      System.out.println(me.path("name").asText() + " (" + me.path("kind").asText("user") + ", id "
          + me.path("id").asText() + ") at " + client.baseUrl());
      System.out.println("  roles:        " + roles(me));
      System.out.println("  environments: " + listOrAll(me.path("environments")));
      System.out.println("  verbs:        " + listOrAll(me.path("verbs")));
      System.out.println("  expires:      " + (me.path("expiresAt").isTextual() ? me.path("expiresAt").asText() : "never"));
      return 0;
    }
  }

  static String roles(JsonNode me) {
    return String.join(", ", texts(me.path("roles")));
  }

  private static String listOrAll(JsonNode array) {
    List<String> values = texts(array);
    return values.isEmpty() ? "all" : String.join(", ", values);
  }

  static List<String> texts(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(v -> values.add(v.asText()));
    return values;
  }
}
