package io.dbops.cli.commands;

import picocli.CommandLine.Option;

/** The {@code --server} option of the client commands. */
public final class ServerOption {
  @Option(names = "--server", defaultValue = "${env:DBOPS_SERVER_URL:-http://127.0.0.1:8080}",
      description = "Control plane URL (env DBOPS_SERVER_URL, default ${DEFAULT-VALUE}).")
  String server;
}
