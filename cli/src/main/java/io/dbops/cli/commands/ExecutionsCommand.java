package io.dbops.cli.commands;

import io.dbops.api.ExecutionView;
import io.dbops.cli.client.ControlPlaneClient;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dbops executions}: recent runs with status and duration. */
@Command(name = "executions", mixinStandardHelpOptions = true, description = "List recent executions.")
public final class ExecutionsCommand implements Callable<Integer> {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

  @Mixin ServerOption server;

  @Option(names = "--limit", defaultValue = "20", description = "How many (default ${DEFAULT-VALUE}).")
  int limit;

  @Override
  public Integer call() {
    try (ControlPlaneClient client = new ControlPlaneClient(server.server)) {
      System.out.printf("%-16s %-20s %-10s %-20s %s%n", "ID", "PIPELINE", "STATUS", "CREATED", "DURATION");
      for (ExecutionView e : client.executions(limit)) {
        System.out.printf("%-16s %-20s %-10s %-20s %s%n", e.id(), e.pipelineName(), e.status(),
            e.createdAt() == null ? "" : TIME.format(e.createdAt()), duration(e));
      }
      return 0;
    }
  }

  static String duration(ExecutionView e) {
    if (e.startedAt() == null) {
      return "";
    }
    Instant end = e.finishedAt() != null ? e.finishedAt() : Instant.now();
    Duration d = Duration.between(e.startedAt(), end);
    String text = String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    return e.finishedAt() == null ? text + " (running)" : text;
  }
}
