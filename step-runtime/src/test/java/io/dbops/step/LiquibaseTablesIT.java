package io.dbops.step;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbops.proto.v1.DatabaseTarget;
import io.dbops.proto.v1.StepKind;
import io.dbops.proto.v1.StepRequest;
import io.dbops.proto.v1.StepStatus;
import io.dbops.testsupport.TestDatabases;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A target's Liquibase table and schema names (databaseChangelogTableName, ...) on real
 * PostgreSQL and MariaDB: apply, status and rollback use exactly those tables and no other.
 */
class LiquibaseTablesIT {
  private StepHarness harness;
  private TargetDb db;

  @BeforeEach
  void start() throws Exception {
    harness = new StepHarness(Map.of(StepHarness.PASSWORD_ENV, TargetDb.H2_PASSWORD));
  }

  @AfterEach
  void stop() throws Exception {
    harness.close();
    if (db != null) {
      db.close();
    }
  }

  private StepRequest.Builder request(StepKind kind, String history, String lock) {
    StepRequest.Builder b = StepHarness.request(kind, "yaml/changelog.yaml", db).putParameters("personName", "Ada");
    return b.setDatabase(DatabaseTarget.newBuilder(b.getDatabase())
        .setDatabaseChangelogTableName(history).setDatabaseChangelogLockTableName(lock));
  }

  private StepHarness.Run ok(StepRequest request) {
    StepHarness.Run run = harness.execute(request.toBuilder().setStepId("exec-1/stage/" + java.util.UUID.randomUUID())
        .build());
    assertThat(run.result().getStatus()).as(run.result().getError() + "\n" + run.logText())
        .isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    return run;
  }

  @ParameterizedTest(name = "{0}: {1}, {2}")
  @CsvSource({
      "MARIADB, databasechangelog, databasechangeloglock",
      "POSTGRES, databasechangelog, databasechangeloglock",
      "MARIADB, app_history, app_history_lock",
      "POSTGRES, app_history, app_history_lock"})
  void appliesReportsStatusAndRollsBackWithTheTargetsTableNames(String kind, String history, String lock)
      throws Exception {
    db = TargetDb.server(TestDatabases.Kind.valueOf(kind));

    StepHarness.Run apply = ok(request(StepKind.STEP_KIND_APPLY, history, lock).build());
    assertThat(apply.result().getOutputsMap()).containsEntry("changesetsApplied", "3");
    // Exactly the configured name, in the configured case; nothing under Liquibase's defaults. (No
    // lock table: dbops locks with the session, and the lock table's name only matters for the
    // check of a row plain Liquibase left.)
    assertThat(tableNames()).contains(history, "person")
        .doesNotContain("DATABASECHANGELOG", "DATABASECHANGELOGLOCK", history.toUpperCase(java.util.Locale.ROOT));
    if (!history.equals("databasechangelog")) {
      assertThat(tableNames()).doesNotContain("databasechangelog", "databasechangeloglock");
    }
    // 3 changesets and the pre-start tag's row.
    assertThat(db.queryLong("SELECT COUNT(*) FROM " + history)).isEqualTo(4);

    StepHarness.Run status = ok(request(StepKind.STEP_KIND_STATUS, history, lock).build());
    assertThat(status.result().getOutputsMap()).containsEntry("pending", "0");

    StepHarness.Run again = ok(request(StepKind.STEP_KIND_APPLY, history, lock).build());
    assertThat(again.result().getOutputsMap()).containsEntry("changesetsApplied", "0");

    StepHarness.Run rollback = ok(request(StepKind.STEP_KIND_ROLLBACK, history, lock).setCount(1).build());
    assertThat(rollback.result().getOutputsMap()).containsEntry("rolledBack", "1");
    assertThat(db.queryLong("SELECT COUNT(*) FROM person")).isZero();
    assertThat(ok(request(StepKind.STEP_KIND_STATUS, history, lock).build()).result().getOutputsMap())
        .containsEntry("pending", "1");
    // The same target under Liquibase's default names is another history: everything pending there
    // (on PostgreSQL the default DATABASECHANGELOG folds to databasechangelog, the same table).
    boolean sameAsDefault = kind.equals("POSTGRES") && history.equals("databasechangelog");
    assertThat(ok(request(StepKind.STEP_KIND_STATUS, "", "").build()).result().getOutputsMap())
        .containsEntry("pending", sameAsDefault ? "1" : "3");
    // The kinds that read the history see the configured table too.
    StepHarness.Run history1 = ok(request(StepKind.STEP_KIND_HISTORY, history, lock).build());
    assertThat(history1.result().getOutputsMap()).containsEntry("count", "3");
    StepHarness.Run drift = ok(request(StepKind.STEP_KIND_DRIFT, history, lock).build());
    assertThat(drift.logText()).doesNotContainIgnoringCase("extra table " + history);
  }

  @Test
  void postgresKeepsTheHistoryInTheLiquibaseSchemaAndObjectsInTheDefaultSchema() throws Exception {
    db = TargetDb.server(TestDatabases.Kind.POSTGRES);
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA lbmeta");
      s.execute("CREATE SCHEMA app");
    }
    StepRequest.Builder base = StepHarness.request(StepKind.STEP_KIND_APPLY, "yaml/changelog.yaml", db)
        .putParameters("personName", "Ada");
    DatabaseTarget target = DatabaseTarget.newBuilder(base.getDatabase())
        .setLiquibaseSchemaName("lbmeta").setDefaultSchemaName("app").build();

    ok(base.clone().setDatabase(target).build());

    assertThat(db.queryLong("SELECT COUNT(*) FROM lbmeta.databasechangelog")).isEqualTo(4);
    assertThat(db.queryLong("SELECT COUNT(*) FROM app.person")).isEqualTo(1);
    assertThat(db.queryLong("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'")).isZero();
    assertThat(ok(base.clone().setKind(StepKind.STEP_KIND_STATUS).setDatabase(target).build())
        .result().getOutputsMap()).containsEntry("pending", "0");
    StepHarness.Run rollback = ok(base.clone().setKind(StepKind.STEP_KIND_ROLLBACK).setCount(3).setDatabase(target)
        .build());
    assertThat(rollback.result().getOutputsMap()).containsEntry("rolledBack", "3");
    assertThat(db.queryLong("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'app'")).isZero();
    // The pooled session does not keep the target's search_path for the next step.
    StepHarness.Run plain = ok(base.clone().setKind(StepKind.STEP_KIND_APPLY).build());
    assertThat(plain.result().getOutputsMap()).containsEntry("changesetsApplied", "3");
    assertThat(db.queryLong("SELECT COUNT(*) FROM public.person")).isEqualTo(1);
  }

  @Test
  void aLockRowLeftByPlainLiquibaseIsFoundInTheConfiguredLockTable() throws Exception {
    harness.close();
    harness = new StepHarness(Map.of(StepHarness.PASSWORD_ENV, TargetDb.H2_PASSWORD),
        io.dbops.step.config.StepRuntimeConfig.defaults(0).withLockTimeout(java.time.Duration.ofSeconds(1)));
    db = TargetDb.server(TestDatabases.Kind.MARIADB);
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      // Plain Liquibase of a project that renamed its tables to lower case left its lock set.
      s.execute("CREATE TABLE databasechangeloglock (ID INT NOT NULL PRIMARY KEY, LOCKED BOOLEAN NOT NULL,"
          + " LOCKGRANTED TIMESTAMP NULL, LOCKEDBY VARCHAR(255))");
      s.execute("INSERT INTO databasechangeloglock VALUES (1, TRUE, '2024-05-01 10:00:00', 'ci-runner-7')");
    }

    StepHarness.Run lowerCase = harness.execute(
        request(StepKind.STEP_KIND_APPLY, "databasechangelog", "databasechangeloglock").build());
    StepHarness.Run defaults = harness.execute(request(StepKind.STEP_KIND_STATUS, "", "").build());

    assertThat(lowerCase.result().getStatus()).isEqualTo(StepStatus.STEP_STATUS_FAILED);
    assertThat(lowerCase.result().getError()).containsPattern("The Liquibase lock row in (\\w+\\.)?databasechangeloglock ")
        .contains("ci-runner-7").containsPattern("UPDATE (\\w+\\.)?databasechangeloglock SET LOCKED = FALSE");
    assertThat(db.tableExists("person")).isFalse();
    // Under the default (upper-case) names that row is another project's: not waited for.
    assertThat(defaults.result().getStatus()).as(defaults.result().getError())
        .isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
  }

  @Test
  void refusesNamesThatAreNotPlainIdentifiers() {
    db = null;
    StepRequest request = StepHarness.request(StepKind.STEP_KIND_STATUS, "yaml/changelog.yaml",
            "jdbc:h2:mem:x", "sa")
        .setDatabase(DatabaseTarget.newBuilder().setJdbcUrl("jdbc:h2:mem:x")
            .setDatabaseChangelogTableName("x; DROP TABLE person")
            .setLiquibaseSchemaName("1abc"))
        .build();
    assertThatThrownBy(() -> harness.execute(request))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription())
              .contains("database.database_changelog_table_name must be a plain identifier")
              .contains("database.liquibase_schema_name must be a plain identifier");
        });
  }

  private List<String> tableNames() throws Exception {
    List<String> names = new ArrayList<>();
    try (Connection c = db.connect();
        ResultSet rs = c.getMetaData().getTables(c.getCatalog(), null, "%", new String[] {"TABLE"})) {
      while (rs.next()) {
        names.add(rs.getString("TABLE_NAME"));
      }
    }
    return names;
  }
}
