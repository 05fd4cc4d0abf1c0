package io.dbops.step;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.proto.v1.ChangeSetRecord;
import io.dbops.proto.v1.DatabaseTarget;
import io.dbops.proto.v1.StepKind;
import io.dbops.proto.v1.StepRequest;
import io.dbops.proto.v1.StepStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every step kind against a temp-file H2 database. */
class StepKindsIT {
  @TempDir Path tmp;
  private StepHarness harness;
  private TargetDb db;

  @BeforeEach
  void start() throws Exception {
    harness = new StepHarness(Map.of(StepHarness.PASSWORD_ENV, TargetDb.H2_PASSWORD));
    db = TargetDb.h2(tmp);
  }

  @AfterEach
  void stop() throws Exception {
    harness.close();
  }

  private StepRequest.Builder request(StepKind kind, String changelog) {
    StepRequest.Builder b = StepHarness.request(kind, changelog, db.jdbcUrl(), db.username());
    return b.setDatabase(DatabaseTarget.newBuilder(b.getDatabase()).setPasswordEnv(StepHarness.PASSWORD_ENV))
        .putParameters("personName", "Ada");
  }

  @Test
  void previewRendersTheSqlWithoutChangingAnything() throws Exception {
    StepHarness.Run run = harness.execute(request(StepKind.STEP_KIND_PREVIEW, "yaml/changelog.yaml").build());

    assertThat(run.result().getStatus()).as(run.result().getError()).isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    String sql = run.result().getOutputsMap().get("sql");
    assertThat(sql).containsIgnoringCase("CREATE TABLE").containsIgnoringCase("person")
        .contains("ALTER TABLE").contains("'Ada'");
    assertThat(run.result().getOutputsMap()).containsEntry("pending", "3");
    assertThat(run.logText()).containsIgnoringCase("CREATE TABLE");
    assertThat(db.tableExists("person")).isFalse();
    assertThat(db.tableExists("DATABASECHANGELOG")).isFalse();
  }

  @Test
  void statusListsPendingChangesets() throws Exception {
    harness.execute(request(StepKind.STEP_KIND_APPLY, "sql/changelog.sql").build());

    StepHarness.Run run = harness.execute(request(StepKind.STEP_KIND_STATUS, "yaml/changelog.yaml").build());

    assertThat(run.result().getStatus()).isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    assertThat(run.result().getOutputsMap()).containsEntry("pending", "3");
    assertThat(run.result().getChangesetsList()).extracting(ChangeSetRecord::getId, ChangeSetRecord::getState)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("1", "PENDING"),
            org.assertj.core.groups.Tuple.tuple("2", "PENDING"),
            org.assertj.core.groups.Tuple.tuple("3", "PENDING"));
    assertThat(run.logText()).contains("yaml/changelog.yaml::2::alice");
  }

  @Test
  void appliesXmlAndFormattedSqlChangelogs() throws Exception {
    StepHarness.Run xml = harness.execute(request(StepKind.STEP_KIND_APPLY, "xml/changelog.xml").build());
    StepHarness.Run sql = harness.execute(request(StepKind.STEP_KIND_APPLY, "sql/changelog.sql").build());

    assertThat(xml.result().getStatus()).as(xml.result().getError()).isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    assertThat(sql.result().getStatus()).as(sql.result().getError()).isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    assertThat(db.tableExists("xml_table")).isTrue();
    assertThat(db.queryLong("SELECT COUNT(*) FROM sql_table")).isEqualTo(1);
    assertThat(sql.result().getOutputsMap()).containsEntry("changesetsApplied", "2");
  }

  @Test
  void rollbackByCountUndoesTheLastChangesets() throws Exception {
    harness.execute(request(StepKind.STEP_KIND_APPLY, "sql/changelog.sql").build());

    StepHarness.Run run = harness.execute(request(StepKind.STEP_KIND_ROLLBACK, "sql/changelog.sql").setCount(1).build());

    assertThat(run.result().getStatus()).as(run.result().getError()).isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    assertThat(run.result().getOutputsMap()).containsEntry("rolledBack", "1");
    assertThat(db.queryLong("SELECT COUNT(*) FROM sql_table")).isZero();
    assertThat(db.changelogRows("sql-2")).isZero();
  }

  @Test
  void tagThenRollbackToTag() throws Exception {
    harness.execute(request(StepKind.STEP_KIND_APPLY, "xml/changelog.xml").build());
    StepHarness.Run tag = harness.execute(request(StepKind.STEP_KIND_TAG, "sql/changelog.sql").setTag("v1").build());
    StepHarness.Run apply = harness.execute(request(StepKind.STEP_KIND_APPLY, "sql/changelog.sql").build());

    StepHarness.Run rollback = harness.execute(request(StepKind.STEP_KIND_ROLLBACK, "sql/changelog.sql").setTag("v1").build());

    // The last row already carried v1: apply reuses it instead of overwriting it.
    assertThat(apply.result().getOutputsMap()).containsEntry("preStartTag", "v1");

    assertThat(tag.result().getStatus()).isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    assertThat(rollback.result().getStatus()).as(rollback.result().getError()).isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    assertThat(rollback.result().getOutputsMap()).containsEntry("rolledBack", "2");
    assertThat(db.tableExists("sql_table")).isFalse();
    assertThat(db.tableExists("xml_table")).isTrue();
  }

  @Test
  void rollbackToUnknownTagFailsClearly() {
    harness.execute(request(StepKind.STEP_KIND_APPLY, "sql/changelog.sql").build());

    StepHarness.Run run = harness.execute(request(StepKind.STEP_KIND_ROLLBACK, "sql/changelog.sql").setTag("nope").build());

    assertThat(run.result().getStatus()).isEqualTo(StepStatus.STEP_STATUS_FAILED);
    assertThat(run.result().getError()).contains("Tag 'nope' is not recorded");
  }

  @Test
  void validateAcceptsAGoodChangelogAndReportsDuplicateIds() {
    StepHarness.Run good = harness.execute(request(StepKind.STEP_KIND_VALIDATE, "yaml/changelog.yaml").build());
    StepHarness.Run dup = harness.execute(request(StepKind.STEP_KIND_VALIDATE, "dup/changelog.yaml").build());

    assertThat(good.result().getStatus()).as(good.result().getError()).isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    assertThat(dup.result().getStatus()).isEqualTo(StepStatus.STEP_STATUS_FAILED);
    assertThat(dup.result().getError()).contains("dup/changelog.yaml").containsIgnoringCase("duplicate");
  }

  @Test
  void validateReportsAChecksumMismatch() throws Exception {
    Path dir = tmp.resolve("cl");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("c.sql"), "--liquibase formatted sql\n--changeset a:1\nCREATE TABLE v1 (id INT);\n");
    StepRequest.Builder apply = request(StepKind.STEP_KIND_APPLY, "c.sql").setSearchPath(dir.toString());
    assertThat(harness.execute(apply.build()).result().getStatus()).isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    Files.writeString(dir.resolve("c.sql"), "--liquibase formatted sql\n--changeset a:1\nCREATE TABLE v2 (id INT);\n");

    StepHarness.Run run = harness.execute(request(StepKind.STEP_KIND_VALIDATE, "c.sql").setSearchPath(dir.toString()).build());

    assertThat(run.result().getStatus()).isEqualTo(StepStatus.STEP_STATUS_FAILED);
    assertThat(run.result().getError()).containsIgnoringCase("check sum").contains("c.sql::1::a");
  }

  @Test
  void logLinesArriveBeforeTheResult() {
    StepHarness.Run run = harness.execute(request(StepKind.STEP_KIND_APPLY, "yaml/changelog.yaml").build());

    assertThat(run.events()).hasSizeGreaterThan(3);
    // Before the result: log lines, and one progress event per changeset (ProgressEventsIT).
    assertThat(run.events().subList(0, run.events().size() - 1)).allMatch(e -> e.hasLog() || e.hasProgress());
    assertThat(run.events()).filteredOn(e -> e.hasProgress()).hasSize(3);
    assertThat(run.logs()).allSatisfy(l -> assertThat(l.getTimestampMillis()).isPositive());
  }
}
