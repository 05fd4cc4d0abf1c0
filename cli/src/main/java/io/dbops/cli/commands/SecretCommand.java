package io.dbops.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.config.ConfigException;
import io.dbops.cli.client.SecretClient;
import io.dbops.secrets.SecretSource;
import io.dbops.support.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dbops secret create|list|delete}: the control plane's secret store (docs/secrets.md).
 * There is deliberately no option taking a value: a value on the command line would land in shell
 * history and in every process listing.
 */
@Command(name = "secret", mixinStandardHelpOptions = true,
    description = "Manage the control plane's secrets (values are never shown).",
    subcommands = {SecretCommand.Create.class, SecretCommand.ListSecrets.class, SecretCommand.Delete.class})
public final class SecretCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Exactly one place the value comes from. */
  static final class ValueSource {
    @Option(names = "--value-env", paramLabel = "VAR",
        description = "Read the value from this environment variable.")
    String env;

    @Option(names = "--from-file", paramLabel = "FILE",
        description = "Read the value from this file ('-' for standard input); one trailing line break is dropped.")
    String file;
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Create or replace a secret; refer to it in pipelines as <+secrets.getValue(\"NAME\")>.")
  static final class Create implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", description = "Letters, digits, '.', '_' or '-' (at most 128).")
    String name;

    @ArgGroup(exclusive = true, multiplicity = "1")
    ValueSource source;

    @Mixin ServerOption server;

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
      if (!SecretSource.STORE_NAME.matcher(name).matches()) {
        throw new ConfigException("command line", "Secret name '" + name + "' is invalid: use 1-128 letters, digits, '.', '_'"
            + " or '-', starting with a letter or digit");
      }
      String value = source.env != null ? fromEnvironment(source.env) : fromFile(source.file);
      if (value.isEmpty()) {
        throw new ConfigException("command line", "The value of secret '" + name + "' is empty ("
            + (source.env != null ? "--value-env " + source.env : "--from-file " + source.file) + ")");
      }
      try (SecretClient client = new SecretClient(server.target())) {
        boolean created = client.put(name, value);
        out.println("Secret " + name + (created ? " created." : " replaced.") + " Use it as "
            + SecretSource.expression(name));
        out.flush();
        return 0;
      }
    }

    private String fromEnvironment(String variable) {
      String value = environment.apply(variable);
      if (value == null) {
        throw new ConfigException("command line", "--value-env " + variable + ": the environment variable " + variable
            + " is not set; export it first (for example `read -s " + variable + " && export " + variable + "`)");
      }
      return value;
    }

    private String fromFile(String file) {
      try {
        String text = "-".equals(file) ? new String(stdin.readAllBytes(), StandardCharsets.UTF_8)
            : Files.readString(Path.of(file), StandardCharsets.UTF_8);
        return text.endsWith("\r\n") ? text.substring(0, text.length() - 2)
            : text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
      } catch (IOException | RuntimeException e) {
        throw new ConfigException("command line", "--from-file " + file + ": cannot read it (" + e.getClass().getSimpleName()
            + "); name a readable UTF-8 file, or '-' for standard input");
      }
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "List the secrets' names and times (never their values).")
  static final class ListSecrets implements Callable<Integer> {
    private static final String ROW = "%-40s %-26s %s%n";

    @Option(names = "--output", defaultValue = "table", paramLabel = "table|json",
        description = "table (default) or json.")
    String output;

    @Mixin ServerOption server;

    private final PrintStream out;

    ListSecrets() {
      this(System.out);
    }

    ListSecrets(PrintStream out) {
      this.out = out;
    }

    @Override
    public Integer call() {
      if (!"table".equals(output) && !"json".equals(output)) {
        throw new ConfigException("command line", "--output must be table or json, not '" + output + "'");
      }
      try (SecretClient client = new SecretClient(server.target())) {
        JsonNode secrets = client.list();
        if ("json".equals(output)) {
          out.println(Json.write(secrets));
        } else {
          out.printf(ROW, "NAME", "CREATED", "UPDATED");
          for (JsonNode s : secrets) {
            out.printf(ROW, s.path("name").asText(), s.path("createdAt").asText(), s.path("updatedAt").asText());
          }
        }
        out.flush();
        return 0;
      }
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Delete a secret; runs that use it afterwards fail naming it.")
  static final class Delete implements Callable<Integer> {
    @Parameters(paramLabel = "NAME")
    String name;

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
      try (SecretClient client = new SecretClient(server.target())) {
        client.delete(name);
        out.println("Secret " + name + " deleted.");
        out.flush();
        return 0;
      }
    }
  }
}
