package io.dbops.step;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.proto.v1.ChangeSetRecord;
import io.dbops.proto.v1.StepKind;
import io.dbops.proto.v1.StepRequest;
import io.dbops.proto.v1.StepStatus;
import io.dbops.step.drift.SchemaSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * APPLY with {@code require_reversible} (a stage with {@code onFailure: rollback}) on PostgreSQL and
 * MariaDB: a pending changeset Liquibase cannot roll back makes the apply refuse before anything
 * runs, naming it; explicit rollbacks and invertible change types pass.
 */
class ReversibilityIT extends HarnessedStepIT {
  /** sql-1 and sql-2 have explicit rollbacks, yaml's createTable inverts itself, raw-3 has neither. */
  private Path changelogs() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("rev"));
    Files.writeString(dir.resolve("mixed.sql"), """
        --liquibase formatted sql

        --changeset dbops:rev-1
        CREATE TABLE rev_one (id INT PRIMARY KEY);
        --rollback DROP TABLE rev_one;

        --changeset dbops:rev-2
        CREATE TABLE rev_two (id INT PRIMARY KEY);

        --changeset dbops:rev-3
        CREATE TABLE rev_three (id INT PRIMARY KEY);
        --rollback DROP TABLE rev_three;

        --changeset dbops:rev-4
        INSERT INTO rev_one (id) VALUES (1);
        """);
    Files.writeString(dir.resolve("invertible.yaml"), """
        databaseChangeLog:
          - changeSet:
              id: inv-1
              author: dbops
              changes:
                - createTable:
                    tableName: inv_table
                    columns:
                      - column: {name: id, type: int}
          - changeSet:
              id: inv-2
              author: dbops
              changes:
                - addColumn:
                    tableName: inv_table
                    columns:
                      - column: {name: label, type: varchar(20)}
          - changeSet:
              id: inv-3
              author: dbops
              changes:
                - sql: {sql: "INSERT INTO inv_table (id) VALUES (1)"}
              rollback:
                - sql: {sql: "DELETE FROM inv_table WHERE id = 1"}
        """);
    Files.writeString(dir.resolve("dropping.yaml"), """
        databaseChangeLog:
          - changeSet:
              id: drop-1
              author: dbops
              changes:
                - createTable:
                    tableName: drop_table
                    columns:
                      - column: {name: id, type: int}
          - changeSet:
              id: drop-2
              author: dbops
              changes:
                - dropTable: {tableName: drop_table}
        """);
    return dir;
  }

  private StepRequest.Builder apply(Path dir, String changelog) {
    return StepHarness.request(StepKind.STEP_KIND_APPLY, changelog, db).setSearchPath(dir.toString());
  }

  private record State(long historyRows, SchemaSnapshot schema) {}

  private State state() throws Exception {
    try (Connection c = db.connect()) {
      return new State(db.changelogRows(), SchemaSnapshot.read(c));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"POSTGRES", "MARIADB"})
  void aPendingChangesetWithoutRollbackIsRefusedBeforeAnythingRuns(String kind) throws Exception {
    target(kind);
    Path dir = changelogs();
    assertThat(harness.execute(apply(dir, "invertible.yaml").build()).result().getStatus())
        .isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    State before = state();

    StepHarness.Run run = harness.execute(apply(dir, "mixed.sql").setRequireReversible(true).build());

    assertThat(run.result().getStatus()).as(run.logText()).isEqualTo(StepStatus.STEP_STATUS_FAILED);
    assertThat(run.result().getError())
        .startsWith("Refused before anything ran: the stage rolls back on failure (onFailure: rollback), but 2 of 4"
            + " pending changeset(s) cannot be rolled back: mixed.sql::rev-2::dbops (sql); mixed.sql::rev-4::dbops (sql).")
        .contains("allowIrreversible: true").doesNotContain("rev-1").doesNotContain("rev-3");
    assertThat(run.result().getChangesetsList()).extracting(ChangeSetRecord::getId, ChangeSetRecord::getState)
        .containsExactly(Tuple.tuple("rev-2", "IRREVERSIBLE"), Tuple.tuple("rev-4", "IRREVERSIBLE"));
    assertThat(run.result().getOutputsMap()).containsEntry("changesetsApplied", "0")
        .containsEntry("irreversibleChangesets", "mixed.sql::rev-2::dbops,mixed.sql::rev-4::dbops")
        .doesNotContainKey("preStartTag");
    assertThat(run.logText()).doesNotContain("Recorded rollback tag");
    assertThat(state()).isEqualTo(before);
    assertThat(db.tableExists("rev_one")).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"POSTGRES", "MARIADB"})
  void aChangeTypeLiquibaseCannotInvertIsRefused(String kind) throws Exception {
    target(kind);
    Path dir = changelogs();

    StepHarness.Run run = harness.execute(apply(dir, "dropping.yaml").setRequireReversible(true).build());

    assertThat(run.result().getStatus()).isEqualTo(StepStatus.STEP_STATUS_FAILED);
    assertThat(run.result().getError()).contains("1 of 2 pending changeset(s) cannot be rolled back: "
        + "dropping.yaml::drop-2::dbops (dropTable).");
    assertThat(db.tableExists("drop_table")).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"POSTGRES", "MARIADB"})
  void explicitRollbacksAndInvertibleChangeTypesPass(String kind) throws Exception {
    target(kind);
    Path dir = changelogs();

    StepHarness.Run run = harness.execute(apply(dir, "invertible.yaml").setRequireReversible(true).build());

    assertThat(run.result().getStatus()).as(run.result().getError() + "\n" + run.logText())
        .isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    assertThat(run.result().getOutputsMap()).containsEntry("changesetsApplied", "3").containsKey("preStartTag");
    assertThat(run.logText()).contains("All 3 pending changeset(s) can be rolled back");
    assertThat(db.tableExists("inv_table")).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"POSTGRES"})
  void withoutTheGuardTheSameChangelogApplies(String kind) throws Exception {
    target(kind);
    Path dir = changelogs();

    StepHarness.Run run = harness.execute(apply(dir, "mixed.sql").build());

    assertThat(run.result().getStatus()).as(run.result().getError()).isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    assertThat(run.result().getOutputsMap()).containsEntry("changesetsApplied", "4");
  }
}
