package io.dbops.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.cli.client.ApiTarget;
import io.dbops.cli.client.ControlPlaneClient;
import io.dbops.cli.client.CredentialsFile;
import io.dbops.config.ConfigException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dbops login --server URL}: checks an API token against the control plane ({@code GET
 * /api/v1/whoami}) and stores it for that server in the user's credentials file (0600). The token
 * is read from standard input (a terminal does not echo it) or from the variable {@code --token-env}
 * names; never from the command line.
 */
@Command(name = "login", mixinStandardHelpOptions = true,
    description = "Store an API token for a control plane (checked first; file mode 0600).")
public final class LoginCommand implements Callable<Integer> {
  @Option(names = "--server", required = true, description = "Control plane URL, e.g. https://dbops.example.com.")
  String server;

  @Option(names = "--token-env", paramLabel = "VAR",
      description = "Environment variable holding the token (default: read it from standard input).")
  String tokenEnv;

  private final Map<String, String> env;
  private final InputStream stdin;
  private final PrintStream out;

  public LoginCommand() {
    this(System.getenv(), System.in, System.out);
  }

  LoginCommand(Map<String, String> env, InputStream stdin, PrintStream out) {
    this.env = env;
    this.stdin = stdin;
    this.out = out;
  }

  @Override
  public Integer call() {
    String token = tokenEnv != null ? fromEnvironment() : fromInput();
    ApiTarget target = ApiTarget.of(server, token, tokenEnv != null ? tokenEnv : "standard input");
    JsonNode me;
    try (ControlPlaneClient client = new ControlPlaneClient(target)) {
      me = client.whoami();
    }
    CredentialsFile credentials = CredentialsFile.of(env);
    credentials.store(server, token);
    out.println("Logged in to " + target.base() + " as " + me.path("name").asText() + " ("
        + WhoamiCommand.roles(me) + "); token stored in " + credentials.path());
    out.flush();
    return 0;
  }

  private String fromEnvironment() {
    String value = env.get(tokenEnv);
    if (value == null || value.isBlank()) {
      throw new ConfigException("command line", "--token-env " + tokenEnv + ": the variable is not set");
    }
    return value.trim();
  }

  private String fromInput() {
    if (System.console() != null && stdin == System.in) {
      char[] typed = System.console().readPassword("API token for %s: ", server);
      if (typed == null || typed.length == 0) {
        throw new ConfigException("command line", "No token given; paste it at the prompt or use --token-env VAR");
      }
      return new String(typed).trim();
    }
    try {
      String line = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8)).readLine();
      if (line == null || line.isBlank()) {
        throw new ConfigException("command line", "No token on standard input; pipe it in or use --token-env VAR");
      }
      return line.trim();
    } catch (IOException e) {
      throw new ConfigException("command line", "Cannot read the token from standard input: " + e.getMessage());
    }
  }
}
