package io.dbops.step;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.proto.v1.ChangeSetRecord;
import io.dbops.proto.v1.StepKind;
import io.dbops.proto.v1.StepRequest;
import io.dbops.proto.v1.StepStatus;
import io.dbops.step.drift.SchemaSnapshot;
import java.nio.file.Path;
import java.sql.Connection;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** PREVIEW with rollback against H2, PostgreSQL and MariaDB: the SQL is right and nothing changes. */
class RollbackPreviewIT extends HarnessedStepIT {
  private StepRequest.Builder request(StepKind kind, String changelog) {
    return StepHarness.request(kind, changelog, db)
        .putParameters("personName", "Ada");
  }

  private static StepHarness.Run succeeded(StepHarness.Run run) {
    assertThat(run.result().getStatus()).as(run.result().getError() + "\n" + run.logText())
        .isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    return run;
  }

  /** Everything a preview must leave alone: history rows, the schema, the data. */
  private record State(long historyRows, SchemaSnapshot schema, long sqlTableRows) {}

  private State state() throws Exception {
    try (Connection c = db.connect()) {
      return new State(db.changelogRows(), SchemaSnapshot.read(c), db.queryLong("SELECT COUNT(*) FROM sql_table"));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"H2", "POSTGRES", "MARIADB"})
  void previewOfARollbackToATagNamesWhatItWouldDropAndChangesNothing(String kind) throws Exception {
    target(kind);
    succeeded(harness.execute(request(StepKind.STEP_KIND_APPLY, "xml/changelog.xml").setTag("base").build()));
    succeeded(harness.execute(request(StepKind.STEP_KIND_APPLY, "sql/changelog.sql").build()));
    State before = state();

    StepHarness.Run run = succeeded(harness.execute(request(StepKind.STEP_KIND_PREVIEW, "sql/changelog.sql")
        .setRollback(true).setTag("base").build()));

    String sql = run.result().getOutputsMap().get("sql");
    assertThat(sql).containsIgnoringCase("DROP TABLE sql_table").containsIgnoringCase("DELETE FROM sql_table WHERE id = 1")
        .containsIgnoringCase("DELETE FROM").containsIgnoringCase("DATABASECHANGELOG").contains("'sql-1'")
        .doesNotContainIgnoringCase("xml_table");
    // The undo runs newest first: the insert's rollback before the table's.
    assertThat(sql.toUpperCase().indexOf("DELETE FROM SQL_TABLE")).isLessThan(sql.toUpperCase().indexOf("DROP TABLE SQL_TABLE"));
    assertThat(run.result().getOutputsMap()).containsEntry("rollbackChangesets", "2");
    assertThat(run.result().getChangesetsList()).extracting(ChangeSetRecord::getId, ChangeSetRecord::getState)
        .containsExactly(Tuple.tuple("sql-2", "PENDING"), Tuple.tuple("sql-1", "PENDING"));
    assertThat(run.logText()).containsIgnoringCase("DROP TABLE sql_table").contains("nothing was run")
        .doesNotContain("Rolling back changeset");
    assertThat(state()).isEqualTo(before);
    assertThat(db.tableExists("sql_table")).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"H2", "POSTGRES", "MARIADB"})
  void previewOfARollbackByCountCoversOnlyTheLastChangesets(String kind) throws Exception {
    target(kind);
    succeeded(harness.execute(request(StepKind.STEP_KIND_APPLY, "sql/changelog.sql").build()));
    State before = state();

    StepHarness.Run run = succeeded(harness.execute(request(StepKind.STEP_KIND_PREVIEW, "sql/changelog.sql")
        .setRollback(true).setCount(1).build()));

    assertThat(run.result().getOutputsMap().get("sql")).containsIgnoringCase("DELETE FROM sql_table WHERE id = 1")
        .doesNotContainIgnoringCase("DROP TABLE");
    assertThat(run.result().getChangesetsList()).extracting(ChangeSetRecord::getId).containsExactly("sql-2");
    assertThat(state()).isEqualTo(before);
  }

  @ParameterizedTest
  @ValueSource(strings = {"H2", "POSTGRES"})
  void previewOfARollbackWithoutTagOrCountUndoesThePendingChangesets(String kind) throws Exception {
    target(kind);
    succeeded(harness.execute(request(StepKind.STEP_KIND_APPLY, "sql/changelog.sql").build()));
    State before = state();

    StepHarness.Run run = succeeded(harness.execute(request(StepKind.STEP_KIND_PREVIEW, "yaml/changelog.yaml")
        .setRollback(true).build()));

    // createTable and addColumn have automatic rollbacks; the insert has its own.
    assertThat(run.result().getOutputsMap().get("sql")).containsIgnoringCase("DROP TABLE")
        .containsIgnoringCase("person").containsIgnoringCase("DROP COLUMN").containsIgnoringCase("DELETE FROM");
    assertThat(run.result().getChangesetsList()).extracting(ChangeSetRecord::getId).containsExactly("3", "2", "1");
    assertThat(state()).isEqualTo(before);
    assertThat(db.tableExists("person")).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"H2"})
  void previewOfARollbackToAnUnknownTagFailsNamingIt(String kind) throws Exception {
    target(kind);
    succeeded(harness.execute(request(StepKind.STEP_KIND_APPLY, "sql/changelog.sql").build()));

    StepHarness.Run run = harness.execute(request(StepKind.STEP_KIND_PREVIEW, "sql/changelog.sql")
        .setRollback(true).setTag("nope").build());

    assertThat(run.result().getStatus()).isEqualTo(StepStatus.STEP_STATUS_FAILED);
    assertThat(run.result().getError()).startsWith("Tag 'nope' is not recorded in DATABASECHANGELOG");
  }

  @ParameterizedTest
  @ValueSource(strings = {"H2"})
  void previewOfARollbackWithoutAnInverseFailsSayingWhatToAdd(String kind) throws Exception {
    target(kind);
    Path dir = java.nio.file.Files.createDirectories(tmp.resolve("noinverse"));
    java.nio.file.Files.writeString(dir.resolve("c.sql"), """
        --liquibase formatted sql

        --changeset dbops:r1
        CREATE TABLE sql_table (id INT PRIMARY KEY);
        """);
    succeeded(harness.execute(request(StepKind.STEP_KIND_APPLY, "c.sql").setSearchPath(dir.toString()).build()));
    State before = state();

    StepHarness.Run run = harness.execute(request(StepKind.STEP_KIND_PREVIEW, "c.sql").setSearchPath(dir.toString())
        .setRollback(true).setCount(1).build());

    assertThat(run.result().getStatus()).isEqualTo(StepStatus.STEP_STATUS_FAILED);
    assertThat(run.result().getError()).startsWith("Cannot render the rollback SQL: Liquibase does not support automatic"
        + " rollback generation for raw sql changes").contains("give the changeset a rollback");
    assertThat(state()).isEqualTo(before);
  }
}
