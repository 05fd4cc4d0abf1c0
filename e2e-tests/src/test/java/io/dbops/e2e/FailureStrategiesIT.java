package io.dbops.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dbops.testsupport.TestDatabase;
import io.dbops.testsupport.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failure strategies of a stage (docs/environments.md, "Failure strategies") through the real
 * distribution: {@code dbops server}, {@code dbops delegate} with its local build pods, {@code dbops
 * run} and {@code dbops resume}, against a real PostgreSQL database compared with {@code pg_dump}.
 */
class FailureStrategiesIT {
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(4);
  private static final String PG_DUMP = "/usr/bin/pg_dump";

  @TempDir static Path work;
  private static Cluster cluster;
  private static String serverUrl;

  @BeforeAll
  static void startServerAndDelegate() throws Exception {
    cluster = new Cluster(work);
    Cluster.Server server = cluster.server("server", 0, Map.of());
    serverUrl = server.url();
    String token = server.api().createToken("e2e-failure");
    cluster.delegate(serverUrl, token, "e2e-failure", "delegate", Map.of());
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static final String BASE = """
      --liquibase formatted sql

      --changeset e2e:0-accounts
      CREATE TABLE accounts (id INT PRIMARY KEY, name VARCHAR(50));
      INSERT INTO accounts (id, name) VALUES (1, 'ada');
      --rollback DROP TABLE accounts;
      """;

  /** Two reversible changesets, then a third that fails on PostgreSQL. */
  private static final String THREE = BASE + """

      --changeset e2e:1-orders
      CREATE TABLE orders (id INT PRIMARY KEY, account_id INT REFERENCES accounts (id));
      --rollback DROP TABLE orders;

      --changeset e2e:2-orders-index
      CREATE INDEX orders_account ON orders (account_id);
      --rollback DROP INDEX orders_account;

      --changeset e2e:3-broken
      ALTER TABLE orders ADD COLUMN total NUMERIC(10,2);
      UPDATE orders SET total = 0 WHERE no_such_column = 1;
      --rollback ALTER TABLE orders DROP COLUMN total;
      """;

  /** A pipeline of one stage "prod" applying changelog.sql in {@code dir}, with {@code onFailure}. */
  private static Path pipeline(Path dir, TestDatabase db, String onFailure, String changelog) throws Exception {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("changelog.sql"), changelog);
    Path file = dir.resolve("pipeline.yaml");
    Files.writeString(file, "name: e2e-failure\n"
        + "stages:\n"
        + "  - name: prod\n"
        + (onFailure == null ? "" : "    onFailure: " + onFailure + "\n")
        + "    database:\n"
        + "      url: " + db.jdbcUrl() + "\n"
        + "      username: " + db.username() + "\n"
        + "    steps:\n"
        + "      - name: apply\n"
        + "        type: apply\n"
        + "        changelog: changelog.sql\n");
    return file;
  }

  /** Applies the base changeset, so the target has a history before the run under test. */
  private static void baseline(Path dir, TestDatabase db) throws Exception {
    DbopsProcess first = run(pipeline(dir, db, null, BASE));
    assertThat(first.exitCode()).as(first.text()).isZero();
  }

  @Test
  void rollbackAfterAFailingThirdChangesetLeavesPostgresExactlyAtItsPreStartState() throws Exception {
    try (TestDatabase db = TestDatabases.create(TestDatabases.Kind.POSTGRES)) {
      Path dir = work.resolve("rollback");
      baseline(dir, db);
      String before = pgDump(db);

      DbopsProcess run = run(pipeline(dir, db, "rollback", THREE));

      assertThat(run.exitCode()).as(run.text()).isEqualTo(1);
      assertThat(pgDump(db)).as(run.text()).isEqualTo(before); // schema, data and history, tags included
      assertThat(run.text())
          .contains("All 3 pending changeset(s) can be rolled back")
          .contains("3-broken")
          .contains("[prod/apply.rollback]")
          .contains("on failure of apply (rollback): ROLLED_BACK")
          .contains("2 changeset(s) undone, tag removed")
          .contains("undone: changelog.sql::2-orders-index::e2e")
          .contains("undone: changelog.sql::1-orders::e2e")
          .containsPattern("Execution ex-\\S+ FAILED after .*rolled back step apply to dbops-pre-ex-\\S+ \\(2 changeset\\(s\\)\\)");
      assertThat(db.tableExists("orders")).isFalse();
    }
  }

  @Test
  void aPendingChangesetWithoutAPossibleRollbackIsRefusedBeforeAnythingRuns() throws Exception {
    try (TestDatabase db = TestDatabases.create(TestDatabases.Kind.POSTGRES)) {
      Path dir = work.resolve("irreversible");
      baseline(dir, db);
      String before = pgDump(db);

      DbopsProcess run = run(pipeline(dir, db, "rollback", BASE + """

          --changeset e2e:1-orders
          CREATE TABLE orders (id INT PRIMARY KEY);
          --rollback DROP TABLE orders;

          --changeset e2e:2-cleanup
          DELETE FROM accounts WHERE name = 'nobody';
          """));

      assertThat(run.exitCode()).as(run.text()).isEqualTo(1);
      assertThat(run.text())
          .contains("Refused before anything ran")
          .contains("1 of 2 pending changeset(s) cannot be rolled back: changelog.sql::2-cleanup::e2e (sql)")
          .contains("allowIrreversible: true")
          .contains("NOTHING_TO_UNDO");
      assertThat(pgDump(db)).isEqualTo(before);
    }
  }

  @Test
  void pauseThenResumeWithRollbackRestoresThePreStartState() throws Exception {
    try (TestDatabase db = TestDatabases.create(TestDatabases.Kind.POSTGRES)) {
      Path dir = work.resolve("pause-rollback");
      baseline(dir, db);
      String before = pgDump(db);

      DbopsProcess run = DbopsProcess.start(work, Map.of(), "run", pipeline(dir, db, "pause", THREE).toString(),
          "--server", serverUrl);
      String id = executionId(run);
      run.awaitLine("paused after step apply failed", Duration.ofMinutes(3));
      assertThat(db.tableExists("orders")).isTrue(); // kept as it failed, for the operator to look at

      DbopsProcess resume = DbopsProcess.run(work, Map.of(), RUN_TIMEOUT, "resume", id, "--rollback",
          "--server", serverUrl);

      assertThat(resume.exitCode()).as(resume.text()).isEqualTo(1);
      assertThat(resume.text()).contains("rollback accepted")
          .contains("on failure of apply (pause): ROLLED_BACK (rollback by ");
      awaitExit(run);
      assertThat(run.exitCode()).as(run.text()).isEqualTo(1);
      assertThat(pgDump(db)).isEqualTo(before);
    }
  }

  @Test
  void pauseThenFixTheDatabaseThenRetrySucceeds() throws Exception {
    try (TestDatabase db = TestDatabases.create(TestDatabases.Kind.POSTGRES)) {
      Path dir = work.resolve("pause-retry");
      baseline(dir, db);
      String changelog = BASE + """

          --changeset e2e:1-audit
          INSERT INTO audit_trail (note) VALUES ('accounts ready');
          --rollback DELETE FROM audit_trail WHERE note = 'accounts ready';
          """;

      DbopsProcess run = DbopsProcess.start(work, Map.of(), "run", pipeline(dir, db, "pause", changelog).toString(),
          "--server", serverUrl);
      String id = executionId(run);
      run.awaitLine("paused after step apply failed", Duration.ofMinutes(3));
      assertThat(run.text()).contains("audit_trail");
      try (Connection c = db.connect(); Statement s = c.createStatement()) {
        s.execute("CREATE TABLE audit_trail (note VARCHAR(100))"); // the operator fixes the database
      }

      DbopsProcess resume = DbopsProcess.run(work, Map.of(), RUN_TIMEOUT, "resume", id, "--retry",
          "--server", serverUrl);

      assertThat(resume.exitCode()).as(resume.text()).isZero();
      assertThat(resume.text()).contains("retry accepted").contains("RETRIED (retry by ").contains("SUCCEEDED");
      awaitExit(run);
      assertThat(run.exitCode()).as(run.text()).isZero();
      assertThat(history(db)).containsExactly("0-accounts", "1-audit");
      assertThat(db.queryLong("SELECT COUNT(*) FROM audit_trail")).isEqualTo(1);
    }
  }

  @Test
  void resumingAnExecutionThatIsNotPausedIsRefused() throws Exception {
    DbopsProcess resume = DbopsProcess.run(work, Map.of(), Duration.ofMinutes(1), "resume", "ex-nope", "--abort",
        "--server", serverUrl);
    assertThat(resume.exitCode()).as(resume.text()).isNotZero();
    assertThat(resume.text()).contains("No execution 'ex-nope'");
  }

  private static String executionId(DbopsProcess run) throws InterruptedException {
    String line = run.awaitLine("submitted to", Duration.ofMinutes(1));
    return line.substring(line.indexOf("Execution ") + "Execution ".length()).split(" ")[0];
  }

  private static void awaitExit(DbopsProcess p) {
    await().atMost(2, TimeUnit.MINUTES).pollInterval(Duration.ofMillis(200)).until(() -> !p.isAlive());
  }

  private static DbopsProcess run(Path pipeline) throws Exception {
    return DbopsProcess.run(work, Map.of(), RUN_TIMEOUT, "run", pipeline.toString(), "--server", serverUrl);
  }

  /** Schema and data (history included) of the test database, as pg_dump prints them. */
  private static String pgDump(TestDatabase db) throws Exception {
    Process p = new ProcessBuilder(PG_DUMP, "--no-password", "--no-owner", "-h", "127.0.0.1", "-p", "5432",
        "-U", db.username(), db.name()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    // The header names the server's pg_dump version and a per-run restrict key (PostgreSQL 17+).
    return out.lines().filter(l -> !l.startsWith("\\restrict") && !l.startsWith("\\unrestrict"))
        .reduce("", (a, b) -> a + b + "\n");
  }

  private static List<String> history(TestDatabase db) throws Exception {
    List<String> ids = new ArrayList<>();
    try (Connection c = db.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id FROM databasechangelog WHERE author = 'e2e' ORDER BY orderexecuted")) {
      while (rs.next()) {
        ids.add(rs.getString(1));
      }
    }
    return ids;
  }
}
