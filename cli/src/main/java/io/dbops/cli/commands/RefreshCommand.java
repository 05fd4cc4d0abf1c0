package io.dbops.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.cli.client.StateClient;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code dbops refresh (--target T | --environment E)}: starts a read-only run (history, and status
 * for known pipelines) that refreshes the recorded migration state; prints its execution id.
 */
@Command(name = "refresh", mixinStandardHelpOptions = true,
    description = "Refresh the recorded migration state of a target or of every target of an environment.")
public final class RefreshCommand implements Callable<Integer> {
  static final class Which {
    @Option(names = "--target", paramLabel = "T", required = true, description = "One stored target.")
    String target;

    @Option(names = "--environment", paramLabel = "E", required = true,
        description = "Every target of an environment.")
    String environment;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Which which;

  @Mixin ServerOption server;

  private final PrintStream out;

  public RefreshCommand() {
    this(System.out);
  }

  RefreshCommand(PrintStream out) {
    this.out = out;
  }

  @Override
  public Integer call() {
    try (StateClient client = new StateClient(server.target())) {
      JsonNode answer = which.target != null ? client.refreshTarget(which.target)
          : client.refreshEnvironment(which.environment);
      java.util.List<String> ids = new java.util.ArrayList<>();
      answer.path("executionIds").forEach(n -> ids.add(n.asText()));
      if (ids.isEmpty()) {
        ids.add(answer.path("executionId").asText());
      }
      out.println("Refresh started: execution" + (ids.size() == 1 ? " " : "s ") + String.join(", ", ids)
          + " (follow one with `dbops logs " + ids.get(0) + "`; then `dbops state` shows the result)");
      out.flush();
      return 0;
    }
  }
}
