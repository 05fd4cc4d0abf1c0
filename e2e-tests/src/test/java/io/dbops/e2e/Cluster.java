package io.dbops.e2e;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Control planes and delegates of the distribution, each its own process, closed in reverse order.
 * Fast timings (1 s heartbeats, short leases where asked) keep the tests short.
 */
final class Cluster implements AutoCloseable {
  private final Path work;
  private final List<DbopsProcess> processes = new ArrayList<>();

  Cluster(Path work) {
    this.work = work;
  }

  /** A control plane process; {@code adminToken} is the one it wrote to its data dir, stored for the CLI. */
  record Server(DbopsProcess process, String url, ControlPlaneHttp api, String adminToken) {}

  record Delegate(DbopsProcess process, int endpointsPort) {}

  /** A control plane with its own identities: it writes an admin token to its data dir on first start. */
  Server server(String dataDir, int port, Map<String, String> env) throws Exception {
    return server(dataDir, port, env, null);
  }

  /**
   * A control plane; {@code adminToken} is the token of a replica started earlier on the same
   * database (a replica that finds identities already there writes no admin token of its own), or
   * null to read the one this one wrote.
   */
  Server server(String dataDir, int port, Map<String, String> env, String adminToken) throws Exception {
    Map<String, String> all = new HashMap<>(Map.of("DBOPS_HEARTBEAT_SECONDS", "1"));
    all.putAll(env);
    DbopsProcess p = DbopsProcess.start(work, all, "server", "--port", Integer.toString(port),
        "--data-dir", work.resolve(dataDir).toString());
    processes.add(p);
    String line = p.awaitLine("dbops control plane listening on http", Duration.ofSeconds(60));
    String url = line.substring(line.indexOf("http://")).split(" ")[0];
    String token = adminToken != null ? DbopsProcess.login(work, url, adminToken)
        : DbopsProcess.loginAsAdmin(work, work.resolve(dataDir), url);
    return new Server(p, url, new ControlPlaneHttp(url, token), token);
  }

  Delegate delegate(String serverUrl, String token, String name, String stateDir, Map<String, String> env)
      throws Exception {
    Map<String, String> all = new HashMap<>(Map.of(
        "DBOPS_TOKEN", token,
        "DBOPS_ALLOW_INSECURE", "true",
        "DBOPS_METRICS_PORT", "0",
        "DBOPS_METRICS_BIND", "127.0.0.1",
        "DBOPS_RECONNECT_MAX_SECONDS", "2"));
    all.putAll(allowlists(work));
    all.putAll(env);
    DbopsProcess p = DbopsProcess.start(work, all, "delegate", "--server", serverUrl, "--name", name,
        "--state-dir", work.resolve(stateDir).toString());
    processes.add(p);
    String started = p.awaitLine("endpoints on port ", Duration.ofSeconds(60));
    int port = Integer.parseInt(started.substring(started.lastIndexOf(' ') + 1).trim());
    p.awaitLine("Connected to", Duration.ofSeconds(60));
    return new Delegate(p, port);
  }

  /**
   * What the test delegates may use, and nothing more (every rule of a delegate denies by default):
   * the local PostgreSQL and MariaDB, {@code env:E2E_*} passwords, H2 files, changelogs (and clone
   * targets) and git repositories under the test's work directory.
   */
  static Map<String, String> allowlists(Path work) {
    return Map.of(
        "DBOPS_ALLOW_HOSTS", "127.0.0.1:5432,127.0.0.1:3306,localhost:5432,localhost:3306",
        "DBOPS_ALLOW_SECRET_ENV", "E2E_*",
        "DBOPS_ALLOW_H2_DIR", work.toAbsolutePath().toString(),
        "DBOPS_ALLOW_CHANGELOG_DIRS", work.toAbsolutePath().toString(),
        "DBOPS_ALLOW_GIT_URLS", work.toAbsolutePath().toUri() + "**");
  }

  @Override
  public void close() throws Exception {
    for (int i = processes.size() - 1; i >= 0; i--) {
      processes.get(i).close();
    }
  }
}
