package io.dbops.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.cli.ExitCodes;
import io.dbops.cli.client.ApiCallException;
import io.dbops.cli.client.CatalogClient;
import io.dbops.support.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code dbops apply -f dbops.yaml}: creates or updates the environments, targets and pipelines of
 * a declarative file (docs/environments.md); applying it again changes nothing.
 */
@Command(name = "apply", mixinStandardHelpOptions = true,
    description = "Create or update the environments, targets and pipelines of a file (dbops.yaml).")
public final class ApplyCommand implements Callable<Integer> {
  @Option(names = {"-f", "--file"}, required = true, description = "The declarative file (YAML).")
  Path file;

  @Option(names = "--dry-run", description = "Show what would change; change nothing.")
  boolean dryRun;

  @Mixin OutputOption output;

  @Mixin ServerOption server;

  private final PrintStream out;
  private final PrintStream err;

  public ApplyCommand() {
    this(System.out, System.err);
  }

  ApplyCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public Integer call() {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      err.println("Cannot read " + file + ": " + e.getMessage());
      return ExitCodes.DATA_ERR;
    }
    String base = file.toAbsolutePath().normalize().getParent().toString();
    JsonNode answer;
    try (CatalogClient client = new CatalogClient(server.target())) {
      answer = client.apply(text, base, dryRun);
    } catch (ApiCallException e) {
      if (e.status() != 400) {
        throw e;
      }
      err.println(file + " is not valid: " + e.error().details().size() + " problem(s)");
      for (String detail : e.error().details()) {
        err.println("  " + file + ": " + detail);
      }
      if (e.error().details().isEmpty()) {
        err.println("  " + e.error().message());
      }
      return ExitCodes.DATA_ERR;
    }
    if (output.json()) {
      out.println(Json.write(answer));
      return ExitCodes.OK;
    }
    int changed = 0;
    for (JsonNode c : answer.path("changes")) {
      String action = c.path("action").asText();
      changed += "unchanged".equals(action) ? 0 : 1;
      String version = c.path("version").isNumber() ? " (version " + c.path("version").asInt() + ")"
          : "";
      out.println(c.path("kind").asText() + "/" + c.path("name").asText() + " "
          + (dryRun && !"unchanged".equals(action) ? "would be " : "") + action + version);
    }
    out.println(dryRun ? "Dry run: " + changed + " object(s) would change; nothing was changed."
        : changed + " object(s) changed.");
    return ExitCodes.OK;
  }
}
