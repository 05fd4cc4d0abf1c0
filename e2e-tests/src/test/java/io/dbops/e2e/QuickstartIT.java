package io.dbops.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.testsupport.TestDatabase;
import io.dbops.testsupport.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dbops quickstart} exactly as the README runs it, from a fresh working directory. */
class QuickstartIT {
  private static final Duration TIMEOUT = Duration.ofMinutes(3);

  @TempDir Path work;

  @Test
  void firstRunAppliesTheSampleAndSecondRunFindsItUpToDate() throws Exception {
    DbopsProcess first = DbopsProcess.run(work, Map.of(), TIMEOUT, "quickstart");
    assertThat(first.exitCode()).as(first.text()).isZero();
    assertThat(first.text())
        .contains("[dev/apply]")
        .containsPattern("web console at http://127\\.0\\.0\\.1:\\d+/ ")
        .contains("3 changesets applied; rollback tag recorded before applying: dbops-pre-")
        .containsPattern("Execution ex-\\S+ SUCCEEDED in \\d+\\.\\d s");
    assertThat(Files.isDirectory(work.resolve(".dbops"))).isTrue();

    DbopsProcess second = DbopsProcess.run(work, Map.of(), TIMEOUT, "quickstart");
    assertThat(second.exitCode()).as(second.text()).isZero();
    assertThat(second.text()).contains("database is up to date, nothing to apply");
  }

  @Test
  void passwordFromTheEnvironmentReachesMariaDbButNoFileOrOutput() throws Exception {
    String password = "Qs-" + java.util.UUID.randomUUID();
    String user = "dbops_e2e_" + Long.toHexString(System.nanoTime());
    try (TestDatabase db = TestDatabases.create(TestDatabases.Kind.MARIADB)) {
      try (var c = db.connect(); var s = c.createStatement()) {
        s.execute("CREATE USER '" + user + "'@'%' IDENTIFIED BY '" + password + "'");
        s.execute("GRANT ALL ON " + db.name() + ".* TO '" + user + "'@'%'");
      }
      try {
        DbopsProcess run = DbopsProcess.run(work, Map.of("E2E_DB_PASSWORD", password), TIMEOUT,
            "quickstart", "--database", db.jdbcUrl(), "--username", user, "--password-env", "E2E_DB_PASSWORD");

        assertThat(run.exitCode()).as(run.text()).isZero();
        assertThat(run.text()).contains("3 changesets applied").doesNotContain(password);
        assertThat(db.tableExists("orders")).isTrue();
        // the control plane's database, the component log and every pod log
        try (var files = Files.walk(work.resolve(".dbops"))) {
          for (Path file : files.filter(Files::isRegularFile).toList()) {
            String content = new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1);
            assertThat(content).as("contents of " + file).doesNotContain(password);
          }
        }
      } finally {
        try (var c = db.connect(); var s = c.createStatement()) {
          s.execute("DROP USER IF EXISTS '" + user + "'@'%'");
        }
      }
    }
  }

  @Test
  void targetsPostgresWithDatabaseOption() throws Exception {
    try (TestDatabase db = TestDatabases.create(TestDatabases.Kind.POSTGRES)) {
      DbopsProcess run = DbopsProcess.run(work, Map.of("E2E_DB_PASSWORD", db.password()), TIMEOUT,
          "quickstart", "--database", db.jdbcUrl(), "--username", db.username(),
          "--password-env", "E2E_DB_PASSWORD");
      assertThat(run.exitCode()).as(run.text()).isZero();
      assertThat(run.text()).contains("3 changesets applied");
      assertThat(db.tableExists("orders")).isTrue();
      assertThat(db.queryLong("SELECT COUNT(*) FROM customers")).isEqualTo(1);
    }
  }
}
