package io.dbops.cli.commands;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.dbops.cli.client.CatalogClient;
import io.dbops.support.Json;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code dbops describe KIND NAME}: one stored object in full, as YAML you could put in
 * {@code dbops.yaml}, with who changed it when (and a pipeline's versions).
 */
@Command(name = "describe", mixinStandardHelpOptions = true,
    description = "Show one environment, target or pipeline in full.")
public final class DescribeCommand implements Callable<Integer> {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

  @Parameters(index = "0", paramLabel = "KIND", description = "environment, target or pipeline.")
  String kind;

  @Parameters(index = "1", paramLabel = "NAME")
  String name;

  @Mixin OutputOption output;

  @Mixin ServerOption server;

  @Spec CommandSpec spec;

  private final PrintStream out;

  public DescribeCommand() {
    this(System.out);
  }

  DescribeCommand(PrintStream out) {
    this.out = out;
  }

  @Override
  public Integer call() throws JsonProcessingException {
    String plural = GetCommand.plural(kind);
    if (plural == null) {
      throw new ParameterException(spec.commandLine(), "KIND must be environment, target or"
          + " pipeline, not '" + kind + "'");
    }
    try (CatalogClient client = new CatalogClient(server.target())) {
      JsonNode object = client.get(plural, name);
      if (output.json()) {
        out.println(Json.write(object));
        return 0;
      }
      out.println("Kind:     " + object.path("kind").asText());
      out.println("Name:     " + object.path("name").asText());
      if (object.path("version").isNumber()) {
        out.println("Version:  " + object.path("version").asInt());
      }
      out.println("Created:  " + object.path("createdAt").asText());
      out.println("Updated:  " + object.path("updatedAt").asText() + " by "
          + object.path("updatedBy").asText());
      out.println("Spec:");
      for (String line : YAML.writeValueAsString(object.path("spec")).split("\n")) {
        out.println("  " + line);
      }
      if ("pipelines".equals(plural)) {
        out.println("Versions:");
        for (JsonNode v : client.versions(name)) {
          out.println("  " + v.path("version").asInt() + "  " + v.path("createdAt").asText()
              + "  by " + v.path("updatedBy").asText());
        }
      }
      out.flush();
      return 0;
    }
  }
}
