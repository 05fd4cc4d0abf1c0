package io.dbops.step;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.proto.v1.DatabaseTarget;
import io.dbops.proto.v1.StepEvent;
import io.dbops.proto.v1.StepKind;
import io.dbops.proto.v1.StepRequest;
import io.dbops.proto.v1.StepStatus;
import io.dbops.step.config.StepRuntimeConfig;
import io.dbops.testsupport.TestDatabases;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The session-scoped change lock: concurrent applies, kill -9, and Liquibase's stale lock row. */
class SessionLockIT {
  private static final String CHANGELOG = "killable/changelog.sql";
  private TargetDb db;
  private StepHarness harness;

  @AfterEach
  void stop() throws Exception {
    if (harness != null) {
      harness.close();
    }
    if (db != null) {
      db.close();
    }
  }

  private void start(String kind, Duration lockTimeout) throws Exception {
    db = TargetDb.server(TestDatabases.Kind.valueOf(kind));
    harness = new StepHarness(Map.of(StepHarness.PASSWORD_ENV, db.password()),
        StepRuntimeConfig.defaults(0).withLockTimeout(lockTimeout));
  }

  private StepRequest apply(String sleep) {
    StepRequest.Builder b = StepHarness.request(StepKind.STEP_KIND_APPLY, CHANGELOG, db.jdbcUrl(), db.username());
    return b.setDatabase(DatabaseTarget.newBuilder(b.getDatabase())
            .setPasswordEnv(db.password().isEmpty() ? "" : StepHarness.PASSWORD_ENV))
        .putParameters("sleep", sleep).build();
  }

  private static String sleep(String kind, int seconds) {
    return kind.equals("POSTGRES") ? "SELECT pg_sleep(" + seconds + ")" : "DO SLEEP(" + seconds + ")";
  }

  private RuntimeProcess otherProcess() throws Exception {
    return new RuntimeProcess(Map.of(StepHarness.PASSWORD_ENV, db.password()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"POSTGRES", "MARIADB"})
  void secondApplyTimesOutClearlyThenTakesTheLockAtOnceAfterKillMinus9(String kind) throws Exception {
    start(kind, Duration.ofSeconds(2));
    try (RuntimeProcess other = otherProcess()) {
      List<StepEvent> events = other.executeAsync(apply(sleep(kind, 30)));
      Awaitility.await().atMost(30, TimeUnit.SECONDS)
          .until(() -> RuntimeProcess.logged(events, "Applying changeset " + CHANGELOG + "::k2"));

      StepHarness.Run blocked = harness.execute(apply("SELECT 1"));

      assertThat(blocked.result().getStatus()).isEqualTo(StepStatus.STEP_STATUS_FAILED);
      assertThat(blocked.result().getError())
          .contains("Timed out after 2 s waiting for the change lock on")
          .contains("127.0.0.1:")
          .contains("DBOPS_STEP_LOCK_TIMEOUT_SECONDS")
          .contains(kind.equals("POSTGRES") ? "PostgreSQL database" : "MariaDB database");

      other.kill(); // kill -9 in the middle of k2's sleep
    }
    long started = System.nanoTime();
    StepHarness.Run next = harness.execute(apply("SELECT 1"));
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

    assertThat(next.result().getStatus()).as(next.result().getError()).isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    assertThat(millis).as("the next run must not wait for the killed run's 30 s statement").isLessThan(5_000);
    assertThat(next.result().getOutputsMap()).containsEntry("changesetsApplied", "1");
    assertThat(db.changelogRows("k1")).isEqualTo(1);
    assertThat(db.changelogRows("k2")).isEqualTo(1);
    assertThat(db.queryLong("SELECT COUNT(*) FROM k_before WHERE id = 2")).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"POSTGRES", "MARIADB"})
  void secondApplyWaitsForTheFirstThenFindsNothingToDo(String kind) throws Exception {
    start(kind, Duration.ofSeconds(60));
    try (RuntimeProcess other = otherProcess()) {
      List<StepEvent> events = other.executeAsync(apply(sleep(kind, 3)));
      Awaitility.await().atMost(30, TimeUnit.SECONDS)
          .until(() -> RuntimeProcess.logged(events, "Applying changeset " + CHANGELOG + "::k2"));

      StepHarness.Run second = harness.execute(apply(sleep(kind, 3)));

      Awaitility.await().atMost(30, TimeUnit.SECONDS).until(() -> events.stream().anyMatch(StepEvent::hasResult));
      StepEvent first = events.get(events.size() - 1);
      assertThat(first.getResult().getStatus()).isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
      assertThat(first.getResult().getOutputsMap()).containsEntry("changesetsApplied", "2");
      assertThat(second.result().getStatus()).as(second.result().getError()).isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
      assertThat(second.logText()).contains("Waiting up to 60 s for the change lock on");
      assertThat(second.result().getOutputsMap()).containsEntry("changesetsApplied", "0");
    }
    assertThat(db.changelogRows("k1")).isEqualTo(1);
    assertThat(db.changelogRows("k2")).isEqualTo(1);
    assertThat(db.queryLong("SELECT COUNT(*) FROM k_before WHERE id = 2")).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"POSTGRES", "MARIADB"})
  void staleLiquibaseLockRowIsReportedWithAWayOut(String kind) throws Exception {
    start(kind, Duration.ofSeconds(1));
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE DATABASECHANGELOGLOCK (ID INT NOT NULL PRIMARY KEY, LOCKED BOOLEAN NOT NULL,"
          + " LOCKGRANTED TIMESTAMP NULL, LOCKEDBY VARCHAR(255))");
      s.execute("INSERT INTO DATABASECHANGELOGLOCK VALUES (1, TRUE, '2024-05-01 10:00:00', 'ci-runner-7 (10.0.0.7)')");
    }

    StepHarness.Run run = harness.execute(apply("SELECT 1"));

    assertThat(run.result().getStatus()).isEqualTo(StepStatus.STEP_STATUS_FAILED);
    assertThat(run.result().getError())
        .contains("ci-runner-7 (10.0.0.7)")
        .contains("2024-05-01 10:00:00")
        .contains("if no Liquibase process is running")
        .contains("SET LOCKED = FALSE, LOCKGRANTED = NULL, LOCKEDBY = NULL WHERE ID = 1");
    assertThat(db.tableExists("k_before")).isFalse();
  }
}
