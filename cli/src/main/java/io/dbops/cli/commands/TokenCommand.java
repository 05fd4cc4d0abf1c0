package io.dbops.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.api.TokenCreated;
import io.dbops.cli.client.ControlPlaneClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dbops token create|list}: delegate tokens. */
@Command(name = "token", mixinStandardHelpOptions = true, description = "Manage delegate tokens.",
    subcommands = {TokenCommand.Create.class, TokenCommand.ListTokens.class})
public final class TokenCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Options shared by the token subcommands. */
  static final class ServerOption {
    @Option(names = "--server", defaultValue = "${env:DBOPS_SERVER_URL:-http://127.0.0.1:8080}",
        description = "Control plane URL (env DBOPS_SERVER_URL, default ${DEFAULT-VALUE}).")
    String server;
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Create a delegate token and print it (shown once; the server keeps only a hash).")
  static final class Create implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", description = "A name for the token, e.g. the delegate's.")
    String name;

    @picocli.CommandLine.Mixin ServerOption server;

    @Override
    public Integer call() {
      try (ControlPlaneClient client = new ControlPlaneClient(server.server)) {
        TokenCreated created = client.createToken(name);
        System.out.println(created.token());
        return 0;
      }
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List delegate tokens (never their values).")
  static final class ListTokens implements Callable<Integer> {
    @picocli.CommandLine.Mixin ServerOption server;

    @Override
    public Integer call() {
      try (ControlPlaneClient client = new ControlPlaneClient(server.server)) {
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
