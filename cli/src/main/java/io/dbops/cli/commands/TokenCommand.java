package io.dbops.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.api.TokenCreated;
import io.dbops.cli.client.ControlPlaneClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code dbops token create|list}: delegate tokens. */
@Command(name = "token", mixinStandardHelpOptions = true, description = "Manage delegate tokens.",
    subcommands = {TokenCommand.Create.class, TokenCommand.ListTokens.class, TokenCommand.Revoke.class})
public final class TokenCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Create a delegate token and print it (shown once; the server keeps only a hash).")
  static final class Create implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", description = "A name for the token, e.g. the delegate's.")
    String name;

    @picocli.CommandLine.Mixin ServerOption server;

    @Override
    public Integer call() {
      try (ControlPlaneClient client = new ControlPlaneClient(server.target())) {
        TokenCreated created = client.createToken(name);
        System.out.println(created.token());
        return 0;
      }
    }
  }

  @Command(name = "revoke", mixinStandardHelpOptions = true,
      description = "Revoke a delegate token: delegates using it finish what they run and claim no more.")
  static final class Revoke implements Callable<Integer> {
    @Parameters(paramLabel = "ID", description = "The token's id, as `dbops token list` shows it.")
    String id;

    @picocli.CommandLine.Mixin ServerOption server;

    @Override
    public Integer call() {
      try (ControlPlaneClient client = new ControlPlaneClient(server.target())) {
        client.revokeToken(id);
        System.out.println("Token " + id + " revoked.");
        return 0;
      }
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List delegate tokens (never their values).")
  static final class ListTokens implements Callable<Integer> {
    @picocli.CommandLine.Mixin ServerOption server;
    @picocli.CommandLine.Mixin OutputOption output;

    @Override
    public Integer call() {
      boolean json = output.json();
      try (ControlPlaneClient client = new ControlPlaneClient(server.target())) {
        if (json) {
          OutputOption.print(System.out, client.listTokens());
          return 0;
        }
        System.out.printf("%-24s %-24s %-26s %s%n", "ID", "NAME", "CREATED", "REVOKED");
        for (JsonNode token : client.listTokens()) {
          System.out.printf("%-24s %-24s %-26s %s%n", token.path("id").asText(),
              token.path("name").asText(), token.path("createdAt").asText(),
              token.path("revoked").asBoolean());
        }
        return 0;
      }
    }
  }
}
