package io.dbops.controlplane.logs;

import io.dbops.controlplane.http.Access;
import io.dbops.controlplane.http.HttpServer;
import io.dbops.controlplane.http.ServerLimits;
import io.dbops.controlplane.tls.TlsSettings;
import io.dbops.controlplane.identity.ApiToken;
import io.dbops.controlplane.identity.Caller;
import io.dbops.controlplane.identity.Role;
import io.dbops.controlplane.store.Database;
import io.dbops.testsupport.TestDatabase;
import io.dbops.testsupport.TestDatabases;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real log service for tests: the control plane's schema on H2 (a file in {@code dir}) or on a
 * fresh PostgreSQL database, the {@link LogService} and an HTTP server on a free port. The clock
 * is settable. Executions are plain rows of the executions table.
 */
final class LogServiceFixture implements AutoCloseable {
  final AtomicLong now = new AtomicLong(Instant.parse("2026-01-10T10:00:00Z").toEpochMilli());
  final Clock clock = new Clock() {
    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(now.get());
    }
  };
  final Database database;
  final TestDatabase postgres;
  final LogService logs;
  final HttpServer http;

  LogServiceFixture(Path dir, boolean onPostgres, LogSettings settings) {
    postgres = onPostgres ? TestDatabases.create(TestDatabases.Kind.POSTGRES) : null;
    database = onPostgres
        ? new Database(postgres.jdbcUrl(), postgres.username(), postgres.password(), dir)
        : new Database("jdbc:h2:file:" + dir.toAbsolutePath().resolve("cp"), null, null, dir);
    database.start();
    logs = new LogService(database.dataSource(), clock, settings);
    // The log service alone: API token routes admit a viewer without checking (the access rules
    // themselves are tested in AccessIT); log-token routes check their own tokens as always.
    ApiToken viewer = new ApiToken("pat-test", "test viewer", ApiToken.Kind.USER,
        Set.of(Role.VIEWER), List.of(), Set.of(), null, Instant.now(), null, null);
    http = new HttpServer("127.0.0.1", 0, List.of(new LogRoutes(logs)), (ctx, route) ->
        route.access().kind() == Access.Kind.API_TOKEN ? new Caller(viewer, ctx.ip()) : null,
        event -> { }, Duration.ofSeconds(60), ServerLimits.DEFAULTS, TlsSettings.none());
  }

  LogServiceFixture start() {
    logs.start();
    http.start();
    return this;
  }

  String url() {
    return "http://127.0.0.1:" + http.port();
  }

  void execution(String id, String status, Long finishedAt) throws SQLException {
    update("INSERT INTO executions (id, pipeline_name, pipeline, status, state, created_at, finished_at) "
        + "VALUES (?, 'p', '{}', ?, '{}', ?, ?)", id, status, now.get(), finishedAt);
  }

  void finish(String id, String status) throws SQLException {
    update("UPDATE executions SET status = ?, finished_at = ? WHERE id = ?", status, now.get(), id);
    logs.executionFinished(id);
  }

  void update(String sql, Object... args) throws SQLException {
    try (Connection c = database.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        if (args[i] == null) {
          ps.setNull(i + 1, java.sql.Types.BIGINT);
        } else {
          ps.setObject(i + 1, args[i]);
        }
      }
      ps.executeUpdate();
    }
  }

  long count(String sql, Object... args) throws SQLException {
    try (Connection c = database.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  @Override
  public void close() throws Exception {
    http.close();
    logs.close();
    database.close();
    if (postgres != null) {
      postgres.close();
    }
  }
}
