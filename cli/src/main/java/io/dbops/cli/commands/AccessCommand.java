package io.dbops.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.cli.client.ControlPlaneClient;
import io.dbops.support.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dbops access create|list|revoke}: API tokens of people and service accounts (admin only).
 * Delegate tokens are {@code dbops token}.
 */
@Command(name = "access", mixinStandardHelpOptions = true,
    description = "Manage API tokens of people and service accounts (admin).",
    subcommands = {AccessCommand.Create.class, AccessCommand.ListTokens.class, AccessCommand.Revoke.class})
public final class AccessCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Create an API token and print it (shown once; the server keeps only a hash).")
  static final class Create implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", description = "Who or what it is for, e.g. alice or ci-staging.")
    String name;

    @Option(names = "--role", required = true, split = ",",
        description = "viewer, deployer, approver and/or admin (comma-separated).")
    List<String> roles;

    @Option(names = "--service-account", description = "A token for automation rather than a person.")
    boolean serviceAccount;

    @Option(names = "--env", split = ",", description = "Limit it to these environments (default: all).")
    List<String> environments = List.of();

    @Option(names = "--verbs", split = ",", description = "Limit it to these verbs (default: all its roles allow).")
    List<String> verbs = List.of();

    @Option(names = "--expires-in-days", description = "Expiry in days (default: never).")
    Integer expiresInDays;

    @Mixin ServerOption server;

    @Override
    public Integer call() {
      Map<String, Object> request = new LinkedHashMap<>();
      request.put("name", name);
      request.put("kind", serviceAccount ? "service" : "user");
      request.put("roles", roles);
      request.put("environments", environments);
      request.put("verbs", verbs);
      request.put("expiresInDays", expiresInDays);
      try (ControlPlaneClient client = new ControlPlaneClient(server.target())) {
        JsonNode created = client.createAccessToken(request);
        System.err.println("API token " + created.path("id").asText() + " for " + name + " ("
            + String.join(", ", roles) + "); shown once:");
        System.out.println(created.path("token").asText());
        return 0;
      }
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List API tokens (never their values).")
  static final class ListTokens implements Callable<Integer> {
    private static final String ROW = "%-24s %-20s %-8s %-22s %-14s %-22s %s%n";

    @Mixin ServerOption server;

    @Option(names = {"-o", "--output"}, defaultValue = "text", description = "text or json (default ${DEFAULT-VALUE}).")
    String output;

    @Override
    public Integer call() {
      try (ControlPlaneClient client = new ControlPlaneClient(server.target())) {
        JsonNode tokens = client.listAccessTokens();
        if ("json".equals(output)) {
          System.out.println(Json.write(tokens));
          return 0;
        }
        System.out.printf(ROW, "ID", "NAME", "KIND", "ROLES", "ENVIRONMENTS", "EXPIRES", "STATE");
        for (JsonNode t : tokens) {
          List<String> envs = WhoamiCommand.texts(t.path("environments"));
          System.out.printf(ROW, t.path("id").asText(), t.path("name").asText(), t.path("kind").asText(),
              String.join(",", WhoamiCommand.texts(t.path("roles"))), envs.isEmpty() ? "all" : String.join(",", envs),
              t.path("expiresAt").isTextual() ? t.path("expiresAt").asText() : "never",
              t.path("revokedAt").isTextual() ? "revoked" : "active");
        }
        return 0;
      }
    }
  }

  @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke an API token at once.")
  static final class Revoke implements Callable<Integer> {
    @Parameters(paramLabel = "ID", description = "The token's id, as `dbops access list` shows it.")
    String id;

    @Mixin ServerOption server;

    @Override
    public Integer call() {
      try (ControlPlaneClient client = new ControlPlaneClient(server.target())) {
        JsonNode revoked = client.revokeAccessToken(id);
        System.out.println("API token " + id + " (" + revoked.path("name").asText() + ") revoked.");
        return 0;
      }
    }
  }
}
