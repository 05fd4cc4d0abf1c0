package io.dbops.cli.commands;

import io.dbops.cli.Environment;
import io.dbops.cli.logging.LoggingSetup;
import io.dbops.controlplane.ControlPlane;
import io.dbops.controlplane.config.ControlPlaneConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dbops server}: the control plane, embedded H2 by default, PostgreSQL with --db-url. */
@Command(name = "server", mixinStandardHelpOptions = true,
    description = "Run the control plane (REST API, delegate hub, task queue, log service).")
public final class ServerCommand implements Callable<Integer> {
  @Option(names = "--port", description = "HTTP port (env DBOPS_SERVER_PORT, default 8080; 0 picks a free port).")
  Integer port;

  @Option(names = "--bind", description = "Address to listen on (env DBOPS_SERVER_BIND, default 127.0.0.1).")
  String bind;

  @Option(names = "--data-dir", description = "State directory (env DBOPS_DATA_DIR, default ./.dbops/server).")
  Path dataDir;

  @Option(names = "--db-url", description = "JDBC URL of PostgreSQL for production (env DBOPS_DB_URL); default: embedded H2 in the data dir.")
  String dbUrl;

  @Option(names = "--db-user", description = "Database user (env DBOPS_DB_USER).")
  String dbUser;

  @Option(names = "--db-password-env", paramLabel = "VAR",
      description = "Name of the environment variable holding the database password (default DBOPS_DB_PASSWORD).")
  String dbPasswordEnv;

  @Option(names = "--public-url", description = "URL build pods use to reach this server (env DBOPS_PUBLIC_URL).")
  String publicUrl;

  @Option(names = "--tls-cert", paramLabel = "PEM",
      description = "Certificate chain to serve HTTPS with, reloaded when it changes (env DBOPS_TLS_CERT).")
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "PEM", description = "Private key of --tls-cert (env DBOPS_TLS_KEY).")
  Path tlsKey;

  @Option(names = "--allow-insecure",
      description = "Allow plain HTTP on a non-loopback address (env DBOPS_ALLOW_INSECURE); only behind a TLS proxy.")
  boolean allowInsecure;

  @Override
  public Integer call() throws Exception {
    LoggingSetup.Settings logging = RoleSupport.consoleLogging();
    Environment env = Environment.ofProcess()
        .with("DBOPS_SERVER_PORT", port)
        .with("DBOPS_SERVER_BIND", bind)
        .with("DBOPS_DATA_DIR", dataDir)
        .with("DBOPS_DB_URL", dbUrl)
        .with("DBOPS_DB_USER", dbUser)
        .with("DBOPS_PUBLIC_URL", publicUrl)
        .with("DBOPS_TLS_CERT", tlsCert)
        .with("DBOPS_TLS_KEY", tlsKey)
        .with("DBOPS_ALLOW_INSECURE", allowInsecure ? "true" : null);
    if (dbPasswordEnv != null) {
      env.with("DBOPS_DB_PASSWORD", System.getenv(dbPasswordEnv));
    }
    ControlPlaneConfig config = ControlPlaneConfig.fromEnvironment(env.asMap());
    ControlPlane controlPlane = new ControlPlane(config);
    AwaitShutdown shutdown = new AwaitShutdown("server", controlPlane);
    try {
      controlPlane.start();
    } catch (Exception | Error e) {
      shutdown.startFailed();
      throw e;
    }
    System.out.println("dbops control plane listening on " + controlPlane.baseUrl()
        + " (log format " + logging.format() + "); web console at " + controlPlane.baseUrl() + "/");
    System.out.flush();
    shutdown.await();
    return 0;
  }
}
