package io.dbops.step;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.proto.v1.StepEvent;
import io.dbops.proto.v1.StepKind;
import io.dbops.proto.v1.StepRequest;
import io.dbops.proto.v1.StepStatus;
import io.dbops.testsupport.TestDatabases;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A changeset and its DATABASECHANGELOG row commit together; half-applied changesets are reported. */
class AtomicApplyIT {
  private StepHarness harness;
  private TargetDb db;

  @BeforeEach
  void start() throws Exception {
    harness = new StepHarness(Map.of());
  }

  @AfterEach
  void stop() throws Exception {
    harness.close();
    if (db != null) {
      db.close();
    }
  }

  private StepRequest apply(String changelog, String labels) {
    return StepHarness.request(StepKind.STEP_KIND_APPLY, changelog, db.jdbcUrl(), db.username())
        .setLabels(labels).build();
  }

  /**
   * Plain Liquibase commits a1's statements, then inserts and commits its history row: killed in
   * between, the table exists, the changeset is not recorded, and the next run fails on CREATE
   * TABLE. The history insert is held up here with a table lock and the process killed while it
   * waits; a1 must end up applied once and recorded once.
   */
  @Test
  void killMinus9BetweenChangesetAndHistoryRowLeavesNeitherOnPostgres() throws Exception {
    db = TargetDb.server(TestDatabases.Kind.POSTGRES);
    // Tagged, so the next apply reuses the tag instead of writing a pre-start tag (an UPDATE that
    // the table lock below would hold up first).
    StepHarness.Run base = harness.execute(apply("atomic/changelog.sql", "base").toBuilder().setTag("base").build());
    assertThat(base.result().getStatus()).as(base.result().getError()).isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);

    try (RuntimeProcess other = new RuntimeProcess(Map.of());
        Connection blocker = db.connect();
        Connection watcher = db.connect()) {
      blocker.setAutoCommit(false);
      try (Statement s = blocker.createStatement()) {
        s.execute("LOCK TABLE databasechangelog IN SHARE MODE");
      }
      List<StepEvent> events = other.executeAsync(apply("atomic/changelog.sql", ""));
      Awaitility.await().atMost(30, TimeUnit.SECONDS).until(() -> {
        try (Statement s = watcher.createStatement(); var rs = s.executeQuery(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
                + " AND query ILIKE 'INSERT INTO%databasechangelog%'")) {
          rs.next();
          return rs.getLong(1) == 1;
        }
      });
      assertThat(RuntimeProcess.logged(events, "Applying changeset atomic/changelog.sql::a1")).isTrue();

      other.kill();
      blocker.rollback();
    }

    StepHarness.Run next = harness.execute(apply("atomic/changelog.sql", ""));

    assertThat(next.result().getStatus()).as(next.result().getError()).isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    // The history INSERT and the COMMIT travel together, so the server already holds the COMMIT of
    // the killed run: once the table lock goes, it commits a1 whole (statements and row) and only
    // then finds its client gone. (With client_connection_check_interval set, it would instead
    // roll back and the next run would apply a1.) Either way: a1 ran exactly once and is recorded.
    assertThat(next.result().getOutputsMap().get("changesetsApplied")).isIn("0", "1");
    assertThat(db.changelogRows("a1")).isEqualTo(1);
    assertThat(db.queryLong("SELECT COUNT(*) FROM a_created")).isEqualTo(1);
  }

  @Test
  void failingStatementMidChangesetRollsBackItsEarlierStatementsOnPostgres() throws Exception {
    db = TargetDb.server(TestDatabases.Kind.POSTGRES);

    StepHarness.Run run = harness.execute(apply("halfway/changelog.sql", ""));

    assertThat(run.result().getStatus()).isEqualTo(StepStatus.STEP_STATUS_FAILED);
    assertThat(run.result().getError())
        .startsWith("Changeset halfway/changelog.sql::h1::dbops failed: ")
        .contains("h_missing")
        .contains("statement 3 of the changeset failed; the 2 before it were rolled back with it");
    assertThat(db.tableExists("h_one")).isFalse();
    assertThat(db.changelogRows("h1")).isZero();
  }

  @Test
  void halfAppliedChangesetOnMariaDbNamesTheStatementsThatRan() throws Exception {
    db = TargetDb.server(TestDatabases.Kind.MARIADB);

    StepHarness.Run run = harness.execute(apply("halfway/changelog.sql", ""));

    assertThat(run.result().getStatus()).isEqualTo(StepStatus.STEP_STATUS_FAILED);
    assertThat(run.result().getError())
        .startsWith("Changeset halfway/changelog.sql::h1::dbops failed: ")
        .contains("h_missing")
        .contains("Half-applied: statement 3 failed after 2 statement(s) ran")
        .contains("[1] CREATE TABLE h_one (id INT); [2] CREATE TABLE h_two (id INT)")
        .doesNotContain("\n");
    assertThat(db.tableExists("h_one")).isTrue();
    assertThat(db.changelogRows("h1")).isZero();
  }
}
