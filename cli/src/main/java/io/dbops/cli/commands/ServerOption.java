package io.dbops.cli.commands;

import io.dbops.cli.client.ApiTarget;
import io.dbops.cli.client.CredentialsFile;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The {@code --server} option of the client commands, and the API token that goes with it: {@code
 * DBOPS_API_TOKEN} when set, else the token {@code dbops login} stored for that server. Without
 * {@code --server} and {@code DBOPS_SERVER_URL}, the server last logged in to, else
 * {@value #DEFAULT_SERVER}.
 */
public final class ServerOption {
  static final String DEFAULT_SERVER = "http://127.0.0.1:8080";

  @Option(names = "--server",
      description = "Control plane URL (env DBOPS_SERVER_URL; default: the server of `dbops login`, else "
          + DEFAULT_SERVER + ").")
  String server;

  /** The environment the token and server come from; tests replace it. */
  Map<String, String> environment = System.getenv();

  /** The server and token for this command, from the environment and the credentials file. */
  public ApiTarget target() {
    Map<String, String> env = environment;
    CredentialsFile credentials = CredentialsFile.of(env);
    String url = server;
    if (url == null || url.isBlank()) {
      url = env.get("DBOPS_SERVER_URL");
    }
    if (url == null || url.isBlank()) {
      url = credentials.current().orElse(DEFAULT_SERVER);
    }
    String token = env.get("DBOPS_API_TOKEN");
    if (token != null && !token.isBlank()) {
      return ApiTarget.of(url, token.trim(), "DBOPS_API_TOKEN");
    }
    String serverUrl = url;
    return credentials.token(url)
        .map(t -> ApiTarget.of(serverUrl, t, "the credentials file " + credentials.path()))
        .orElseGet(() -> ApiTarget.of(serverUrl, null, "nowhere"));
  }
}
