package io.dbops.cli.commands;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dbops notification create|list|delete|deliveries}: signed outgoing notifications of
 * execution events (docs/fleet-triggers.md). A generated secret is printed once by {@code create}.
 */
@Command(name = "notification", mixinStandardHelpOptions = true,
    description = "Manage notification endpoints (signed webhooks out on waiting, succeeded, failed...).",
    subcommands = {NotificationCommand.Create.class, NotificationCommand.ListEndpoints.class,
        NotificationCommand.Delete.class, NotificationCommand.Deliveries.class})
public final class NotificationCommand implements Runnable {
  private static final String COLLECTION = "notifications";
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Create an endpoint; prints its secret once when generated. The host must be"
          + " allowed by the control plane's DBOPS_NOTIFY_ALLOW_HOSTS.")
  static final class Create implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", description = "1-63 lower-case letters, digits, '.', '_' or '-'.")
    String name;

    @Option(names = "--url", required = true, paramLabel = "URL",
        description = "Where events are POSTed (http or https).")
    String url;

    @Option(names = "--event", required = true, paramLabel = "EVENT",
        description = "waiting, succeeded, failed, paused or rolledBack (repeatable).")
    List<String> events = new ArrayList<>();

    @Option(names = "--environment", paramLabel = "ENV",
        description = "Only events of this environment (repeatable; default: every one).")
    List<String> environments = new ArrayList<>();

    @Option(names = "--pipeline", paramLabel = "PIPELINE",
        description = "Only events of this pipeline (repeatable; default: every one).")
    List<String> pipelines = new ArrayList<>();

    @Option(names = "--format", defaultValue = "generic", paramLabel = "generic|slack",
        description = "generic (the dbops JSON, default) or slack (an incoming-webhook text).")
    String format;

    @Mixin TriggerSecret secret;
    @Mixin ServerOption server;
    @Mixin OutputOption output;

    private final UnaryOperator<String> environment;
    private final InputStream stdin;
    private final PrintStream out;

    Create() {
      this(System::getenv, System.in, System.out);
    }

    Create(UnaryOperator<String> environment, InputStream stdin, PrintStream out) {
      this.environment = environment;
      this.stdin = stdin;
      this.out = out;
    }

    @Override
    public Integer call() {
      boolean json = output.json();
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("name", name);
      body.put("url", url);
      body.put("events", events);
      body.put("environments", environments);
      body.put("pipelines", pipelines);
      body.put("format", format);
      String value = secret.read(environment, stdin);
      if (value != null) {
        body.put("secret", value);
      }
      return new TriggerRequests(server, COLLECTION, out).create(body, json,
          created -> "Notification endpoint " + name + " created: " + String.join(", ", events) + " to " + url,
          "verify X-Dbops-Signature with it");
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "List notification endpoints (never their secrets).")
  static final class ListEndpoints implements Callable<Integer> {
    private static final String ROW = "%-24s %-8s %-36s %s%n";
    @Mixin ServerOption server;
    @Mixin OutputOption output;
    private final PrintStream out;

    ListEndpoints() {
      this(System.out);
    }

    ListEndpoints(PrintStream out) {
      this.out = out;
    }

    @Override
    public Integer call() {
      return new TriggerRequests(server, COLLECTION, out).list(output.json(), new TriggerRequests.Table(ROW,
          new Object[] {"NAME", "FORMAT", "EVENTS", "URL"},
          e -> new Object[] {e.path("name").asText(), e.path("format").asText(),
              TriggerRequests.join(e.path("events")), e.path("url").asText()}));
    }
  }

  @Command(name = "deliveries", mixinStandardHelpOptions = true,
      description = "The delivery log of an endpoint: pending, delivered and given-up events.")
  static final class Deliveries implements Callable<Integer> {
    private static final String ROW = "%-26s %-11s %-20s %-10s %-8s %s%n";
    @Parameters(paramLabel = "NAME") String name;
    @Option(names = "--limit", defaultValue = "50", description = "At most this many (1-1000).")
    int limit;
    @Mixin ServerOption server;
    @Mixin OutputOption output;

    @Override
    public Integer call() {
      return new TriggerRequests(server, COLLECTION, System.out).deliveries(name, limit, output.json(),
          new TriggerRequests.Table(ROW, new Object[] {"DELIVERY", "EVENT", "EXECUTION", "STATUS", "ATTEMPTS", "LAST ERROR"},
              d -> new Object[] {d.path("id").asText(), d.path("event").asText(), d.path("executionId").asText(),
                  d.path("status").asText(), d.path("attempts").asInt(), d.path("lastError").asText("")}));
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Delete an endpoint and its pending deliveries.")
  static final class Delete implements Callable<Integer> {
    @Parameters(paramLabel = "NAME") String name;
    @Mixin ServerOption server;
    private final PrintStream out;

    Delete() {
      this(System.out);
    }

    Delete(PrintStream out) {
      this.out = out;
    }

    @Override
    public Integer call() {
      return new TriggerRequests(server, COLLECTION, out).delete(name, "Notification endpoint " + name + " deleted.");
    }
  }
}
