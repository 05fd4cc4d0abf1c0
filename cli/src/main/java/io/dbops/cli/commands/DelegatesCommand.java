package io.dbops.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.cli.ExitCodes;
import io.dbops.cli.client.ControlPlaneClient;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code dbops delegates}: the delegates connected to the control plane. */
@Command(name = "delegates", mixinStandardHelpOptions = true,
    description = "List connected delegates: name, instance, version, tags, capacity, running tasks,"
        + " state and last heartbeat.")
public final class DelegatesCommand implements Callable<Integer> {
  private static final String ROW = "%-20s %-28s %-10s %-20s %-9s %-8s %-10s %s%n";

  @Mixin ServerOption server;
  @Mixin OutputOption output;

  private final PrintStream out;

  public DelegatesCommand() {
    this(System.out);
  }

  DelegatesCommand(PrintStream out) {
    this.out = out;
  }

  @Override
  public Integer call() {
    boolean json = output.json();
    try (ControlPlaneClient client = new ControlPlaneClient(server.target())) {
      List<JsonNode> delegates = client.delegates();
      if (json) {
        OutputOption.print(out, delegates);
        return ExitCodes.OK;
      }
      if (delegates.isEmpty()) {
        out.println("No delegate is connected; start one with `dbops delegate` (see docs/operations.md).");
        out.flush();
        return ExitCodes.OK;
      }
      out.printf(ROW, "NAME", "INSTANCE", "VERSION", "TAGS", "CAPACITY", "RUNNING", "STATE",
          "LAST HEARTBEAT");
      for (JsonNode d : delegates) {
        List<String> tags = new ArrayList<>();
        d.path("tags").forEach(t -> tags.add(t.asText()));
        out.printf(ROW, d.path("name").asText(), d.path("instanceId").asText(),
            d.path("version").asText(), tags.isEmpty() ? "-" : String.join(",", tags),
            d.path("capacity").asInt(), d.path("running").asInt(), d.path("state").asText(),
            d.path("lastSeenAt").asText());
      }
      out.flush();
      return ExitCodes.OK;
    }
  }
}
