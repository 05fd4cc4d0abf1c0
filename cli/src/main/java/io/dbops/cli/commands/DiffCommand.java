package io.dbops.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.cli.client.StateClient;
import io.dbops.support.Json;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code dbops diff ENV_A ENV_B [-o json]}: per target of each environment, the changesets applied
 * somewhere in the other environment and not on it (missing), and those applied on it and nowhere
 * in the other (extra). docs/fleet-state.md "Diff".
 */
@Command(name = "diff", mixinStandardHelpOptions = true,
    description = "Compare the changesets applied in two environments, per target.")
public final class DiffCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "ENV_A", description = "The environment compared from.")
  String from;

  @Parameters(index = "1", paramLabel = "ENV_B", description = "The environment compared to.")
  String to;

  @Mixin OutputOption output;

  @Mixin ServerOption server;

  private final PrintStream out;

  public DiffCommand() {
    this(System.out);
  }

  DiffCommand(PrintStream out) {
    this.out = out;
  }

  @Override
  public Integer call() {
    try (StateClient client = new StateClient(server.target())) {
      JsonNode diff = client.diff(from, to);
      if (output.json()) {
        out.println(Json.write(diff));
        return 0;
      }
      int differing = 0;
      for (JsonNode t : diff.path("targets")) {
        int missing = t.path("missing").size();
        int extra = t.path("extra").size();
        if (missing + extra == 0) {
          out.println(t.path("target").asText() + " (" + t.path("environment").asText() + "): in step");
          continue;
        }
        differing++;
        out.println(t.path("target").asText() + " (" + t.path("environment").asText() + "): " + missing
            + " missing, " + extra + " extra");
        t.path("missing").forEach(c -> out.println("  - missing " + name(c)));
        t.path("extra").forEach(c -> out.println("  + extra   " + name(c)));
      }
      out.println(differing == 0 ? "No differences between " + from + " and " + to + "."
          : differing + " target(s) differ.");
      out.flush();
      return 0;
    }
  }

  private static String name(JsonNode c) {
    return c.path("file").asText() + "::" + c.path("id").asText() + "::" + c.path("author").asText();
  }
}
