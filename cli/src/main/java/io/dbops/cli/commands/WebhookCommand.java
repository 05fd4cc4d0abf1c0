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
 * {@code dbops webhook create|list|delete|deliveries}: incoming git webhooks that run a stored
 * pipeline (docs/fleet-triggers.md). A generated secret is printed once by {@code create}.
 */
@Command(name = "webhook", mixinStandardHelpOptions = true,
    description = "Manage incoming git webhooks (GitHub, GitLab, generic) that run a stored pipeline.",
    subcommands = {WebhookCommand.Create.class, WebhookCommand.ListWebhooks.class,
        WebhookCommand.Delete.class, WebhookCommand.Deliveries.class})
public final class WebhookCommand implements Runnable {
  private static final String COLLECTION = "webhooks";
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Create a webhook; prints its URL and, when generated, its secret (shown once).")
  static final class Create implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", description = "1-63 lower-case letters, digits, '.', '_' or '-'.")
    String name;

    @Option(names = "--format", required = true, paramLabel = "github|gitlab|generic",
        description = "The sender's payload format and signature scheme.")
    String format;

    @Option(names = "--pipeline", required = true, paramLabel = "PIPELINE",
        description = "The stored pipeline a matching push runs.")
    String pipeline;

    @Option(names = "--branch", paramLabel = "GLOB",
        description = "A branch name or glob a push must match (repeatable; default: every branch).")
    List<String> branches = new ArrayList<>();

    @Option(names = "--path", paramLabel = "GLOB",
        description = "A glob over the changed files; a push must touch one (repeatable; default: any).")
    List<String> paths = new ArrayList<>();

    @Option(names = "--input", paramLabel = "NAME=VALUE",
        description = "A fixed input of the run (repeatable).")
    Map<String, String> inputs = new LinkedHashMap<>();

    @Option(names = "--ref-input", paramLabel = "INPUT", defaultValue = "ref",
        description = "The pipeline input that receives the pushed commit (default: ref).")
    String refInput;

    @Option(names = "--no-ref", description = "Pass the pushed commit to no input.")
    boolean noRef;

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
      body.put("format", format);
      body.put("pipeline", pipeline);
      body.put("branches", branches);
      body.put("paths", paths);
      body.put("inputs", inputs);
      body.put("refInput", noRef ? null : refInput);
      String value = secret.read(environment, stdin);
      if (value != null) {
        body.put("secret", value);
      }
      return new TriggerRequests(server, COLLECTION, out).create(body, json,
          created -> "Webhook " + name + " created: POST " + created.path("url").asText(),
          "configure it in the git server now");
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "List webhooks (never their secrets).")
  static final class ListWebhooks implements Callable<Integer> {
    private static final String ROW = "%-24s %-8s %-24s %-24s %s%n";
    @Mixin ServerOption server;
    @Mixin OutputOption output;
    private final PrintStream out;

    ListWebhooks() {
      this(System.out);
    }

    ListWebhooks(PrintStream out) {
      this.out = out;
    }

    @Override
    public Integer call() {
      return new TriggerRequests(server, COLLECTION, out).list(output.json(), new TriggerRequests.Table(ROW,
          new Object[] {"NAME", "FORMAT", "PIPELINE", "BRANCHES", "PATHS"},
          h -> new Object[] {h.path("name").asText(), h.path("format").asText(), h.path("pipeline").asText(),
              TriggerRequests.join(h.path("branches")), TriggerRequests.join(h.path("paths"))}));
    }
  }

  @Command(name = "deliveries", mixinStandardHelpOptions = true,
      description = "The latest signed deliveries of a webhook and what each led to.")
  static final class Deliveries implements Callable<Integer> {
    private static final String ROW = "%-40s %-26s %-10s %-20s %s%n";
    @Parameters(paramLabel = "NAME") String name;
    @Option(names = "--limit", defaultValue = "50", description = "At most this many (1-1000).")
    int limit;
    @Mixin ServerOption server;
    @Mixin OutputOption output;

    @Override
    public Integer call() {
      return new TriggerRequests(server, COLLECTION, System.out).deliveries(name, limit, output.json(),
          new TriggerRequests.Table(ROW, new Object[] {"DELIVERY", "RECEIVED", "OUTCOME", "EXECUTION", "DETAIL"},
              d -> new Object[] {d.path("deliveryId").asText(), d.path("receivedAt").asText(),
                  d.path("outcome").asText(), d.path("executionId").asText(""), d.path("detail").asText("")}));
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Delete a webhook; its URL answers 401 from then on.")
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
      return new TriggerRequests(server, COLLECTION, out).delete(name, "Webhook " + name + " deleted.");
    }
  }
}
