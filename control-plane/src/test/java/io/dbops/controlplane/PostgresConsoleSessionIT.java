package io.dbops.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.controlplane.identity.ConsoleSessions;
import io.dbops.controlplane.store.Sql;
import io.dbops.testsupport.TestDatabase;
import io.dbops.testsupport.TestDatabases;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/** Console sessions on PostgreSQL: the changelog, the session store and the replay guard. */
class PostgresConsoleSessionIT {
  @TempDir Path dataDir;

  @Test
  void consoleSessionsWorkOnPostgresql() throws Exception {
    try (TestDatabase db = TestDatabases.create(TestDatabases.Kind.POSTGRES)) {
      var config = Fixtures.builder(dataDir).database(db.jdbcUrl(), db.username(), db.password())
          .build();
      try (ControlPlane controlPlane = new ControlPlane(config)) {
        controlPlane.start();
        Browser browser = new Browser(controlPlane.baseUrl());
        Browser.Page signedIn = browser.postJson("/console/session",
            Map.of("token", controlPlane.adminToken()), Map.of());
        assertThat(signedIn.code()).as(signedIn.body()).isEqualTo(200);
        String id = browser.cookie("dbops_session");
        String csrf = signedIn.json().path("csrfToken").asText();
        Browser.Page created = browser.postJson("/api/v1/access/tokens",
            Map.of("name", "from-console", "roles", List.of("viewer")), Map.of("X-CSRF-Token", csrf));
        assertThat(created.code()).as(created.body()).isEqualTo(201);
        assertThat(db.queryLong("SELECT COUNT(*) FROM console_sessions")).isEqualTo(1);
        assertThat(db.queryLong("SELECT COUNT(*) FROM console_sessions WHERE id_hash = '" + id
            + "' OR name = '" + id + "'")).isZero();

        assertThat(browser.postJson("/console/logout", "{}", Map.of("X-CSRF-Token", csrf)).code())
            .isEqualTo(204);
        assertThat(db.queryLong("SELECT COUNT(*) FROM console_sessions")).isZero();
        browser.setCookie("dbops_session", id);
        assertThat(browser.get("/api/v1/session").code()).isEqualTo(401);

        // the replay guard relies on the primary key violation being recognised on PostgreSQL
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(db.jdbcUrl());
        ds.setUser(db.username());
        ds.setPassword(db.password());
        ConsoleSessions sessions = new ConsoleSessions(new Sql(ds), Clock.systemUTC(),
            Duration.ofHours(1), Duration.ofHours(1));
        assertThat(sessions.redeemOnce("code", "pg-code")).isTrue();
        assertThat(sessions.redeemOnce("code", "pg-code")).isFalse();
      }
    }
  }
}
