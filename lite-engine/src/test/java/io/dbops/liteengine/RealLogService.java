package io.dbops.liteengine;

import io.dbops.api.LogPage;
import io.dbops.controlplane.http.Access;
import io.dbops.controlplane.http.HttpServer;
import io.dbops.controlplane.http.ServerLimits;
import io.dbops.controlplane.identity.ApiToken;
import io.dbops.controlplane.identity.Caller;
import io.dbops.controlplane.identity.Role;
import io.dbops.controlplane.logs.LogRoutes;
import io.dbops.controlplane.tls.TlsSettings;
import io.dbops.controlplane.logs.LogService;
import io.dbops.controlplane.logs.LogSettings;
import io.dbops.controlplane.store.Database;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The control plane's real log service on a fixed local port: its schema in an H2 file (or the
 * JDBC URL given), {@link LogService} and the HTTP server. {@link #stop} takes all of it down,
 * database included, and {@link #start} brings it back on the same port and data, as a restarted
 * control plane would. Public for the benchmark.
 */
public final class RealLogService implements AutoCloseable {
  private final Path dataDir;
  private final String jdbcUrl;
  private final String user;
  private final int port;
  private Database database;
  private LogService logs;
  private HttpServer http;

  /** @param jdbcUrl null for an H2 file in {@code dataDir} */
  public RealLogService(Path dataDir, String jdbcUrl, String user) throws Exception {
    this.dataDir = dataDir;
    this.jdbcUrl = jdbcUrl != null ? jdbcUrl : "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("cp");
    this.user = user;
    try (ServerSocket socket = new ServerSocket(0)) {
      this.port = socket.getLocalPort();
    }
  }

  public synchronized RealLogService start() {
    database = new Database(jdbcUrl, user, null, dataDir);
    database.start();
    logs = new LogService(database.dataSource(), Clock.systemUTC(), LogSettings.DEFAULT);
    logs.start();
    // The log service alone: API token routes admit a viewer unchecked (the access rules are
    // tested in the control plane); the append routes check their per-stream log tokens as always.
    ApiToken viewer = new ApiToken("pat-test", "test viewer", ApiToken.Kind.USER,
        Set.of(Role.VIEWER), List.of(), Set.of(), null, Instant.now(), null, null);
    http = new HttpServer("127.0.0.1", port, List.of(new LogRoutes(logs)), (ctx, route) ->
        route.access().kind() == Access.Kind.API_TOKEN ? new Caller(viewer, ctx.ip()) : null,
        event -> { }, Duration.ofSeconds(60), ServerLimits.DEFAULTS, TlsSettings.none());
    http.start();
    return this;
  }

  /** Stops HTTP, the service and the database; connections to the port are refused until {@link #start}. */
  public synchronized void stop() {
    if (http != null) {
      http.close();
      logs.close();
      database.close();
      http = null;
    }
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  public synchronized String tokenFor(String stream) {
    return logs.tokenFor(stream);
  }

  /** Registers an execution (a plain row of the executions table), so tails and reads know it. */
  public synchronized void execution(String id, String status) throws Exception {
    try (Connection c = database.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement("INSERT INTO executions (id, pipeline_name, pipeline, status, "
            + "state, created_at) VALUES (?, 'p', '{}', ?, '{}', ?)")) {
      ps.setString(1, id);
      ps.setString(2, status);
      ps.setLong(3, System.currentTimeMillis());
      ps.executeUpdate();
    }
  }

  /** Every stored line of one stream of an execution, in order. */
  public synchronized List<LogPage.Line> lines(String executionId, String stream) throws InterruptedException {
    List<LogPage.Line> all = new ArrayList<>();
    long after = 0;
    while (true) {
      LogPage page = logs.read(executionId, after, 0, id -> "RUNNING");
      if (page.lines().isEmpty()) {
        return all;
      }
      for (LogPage.Line line : page.lines()) {
        if (line.stream().equals(stream)) {
          all.add(line);
        }
      }
      after = page.next();
    }
  }

  /** Calls {@code consumer} with every stored line of an execution, in cursor order, without keeping them. */
  public synchronized void forEachLine(String executionId, java.util.function.Consumer<LogPage.Line> consumer)
      throws InterruptedException {
    long after = 0;
    while (true) {
      LogPage page = logs.read(executionId, after, 0, id -> "RUNNING");
      if (page.lines().isEmpty()) {
        return;
      }
      page.lines().forEach(consumer);
      after = page.next();
    }
  }

  /** Number of lines stored for a stream (its last seq), or -1 while stopped. */
  public synchronized long lastSeq(String stream) throws Exception {
    if (http == null) {
      return -1;
    }
    try (Connection c = database.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT last_seq FROM log_streams WHERE stream = ?")) {
      ps.setString(1, stream);
      try (var rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    }
  }

  /** Whether the stream was closed by its shipper. */
  public synchronized boolean closed(String stream) throws Exception {
    try (Connection c = database.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT closed FROM log_streams WHERE stream = ?")) {
      ps.setString(1, stream);
      try (var rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  @Override
  public void close() {
    stop();
  }
}
