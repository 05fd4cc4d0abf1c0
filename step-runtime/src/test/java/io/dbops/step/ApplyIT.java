package io.dbops.step;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.proto.v1.ChangeSetRecord;
import io.dbops.proto.v1.DatabaseTarget;
import io.dbops.proto.v1.StepKind;
import io.dbops.proto.v1.StepRequest;
import io.dbops.proto.v1.StepStatus;
import io.dbops.testsupport.TestDatabases;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ApplyIT {
  @TempDir Path tmp;
  private StepHarness harness;
  private TargetDb db;

  @BeforeEach
  void start() throws Exception {
    harness = new StepHarness(Map.of(StepHarness.PASSWORD_ENV, TargetDb.H2_PASSWORD, "EMPTY_PW", ""));
  }

  @AfterEach
  void stop() throws Exception {
    harness.close();
    if (db != null) {
      db.close();
    }
  }

  private TargetDb target(String kind) {
    db = switch (kind) {
      case "H2" -> TargetDb.h2(tmp);
      default -> TargetDb.server(TestDatabases.Kind.valueOf(kind));
    };
    return db;
  }

  private StepRequest.Builder request(StepKind kind, String changelog) {
    return StepHarness.request(kind, changelog, db);
  }

  @ParameterizedTest
  @ValueSource(strings = {"H2", "POSTGRES", "MARIADB"})
  void appliesYamlChangelogThenReportsUpToDate(String kind) throws Exception {
    target(kind);
    StepHarness.Run first = harness.execute(request(StepKind.STEP_KIND_APPLY, "yaml/changelog.yaml")
        .putParameters("personName", "Ada").setTag("release-1").build());

    assertThat(first.result().getStatus()).as(first.result().getError()).isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    assertThat(first.result().getOutputsMap())
        .containsEntry("changesetsApplied", "3")
        .containsEntry("pendingBefore", "3")
        .containsEntry("postTag", "release-1");
    assertThat(first.result().getOutputsMap().get("preStartTag")).matches("dbops-pre-\\d{17}");
    assertThat(first.result().getChangesetsList()).extracting(ChangeSetRecord::getId, ChangeSetRecord::getAuthor,
            ChangeSetRecord::getState)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("1", "alice", "EXECUTED"),
            org.assertj.core.groups.Tuple.tuple("2", "alice", "EXECUTED"),
            org.assertj.core.groups.Tuple.tuple("3", "bob", "EXECUTED"));
    assertThat(first.result().getChangesets(0).getFile()).isEqualTo("yaml/changelog.yaml");
    assertThat(first.result().getChangesets(0).getStatements()).isPositive();
    assertThat(first.logText())
        .contains("Applying changeset yaml/changelog.yaml::1::alice")
        .containsPattern("Applied changeset yaml/changelog.yaml::3::bob in \\d+ ms");
    assertThat(db.tableExists("person")).isTrue();
    assertThat(db.queryLong("SELECT COUNT(*) FROM person WHERE name = 'Ada'")).isEqualTo(1);
    long rows = db.changelogRows();

    StepHarness.Run second = harness.execute(request(StepKind.STEP_KIND_APPLY, "yaml/changelog.yaml")
        .putParameters("personName", "Ada").build());

    assertThat(second.result().getStatus()).isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    assertThat(second.result().getOutputsMap())
        .containsEntry("changesetsApplied", "0")
        .containsEntry("preStartTag", "");
    assertThat(second.logText()).contains("Database is up to date: no changesets to apply.");
    assertThat(db.changelogRows()).isEqualTo(rows);
  }

  @ParameterizedTest
  @ValueSource(strings = {"H2", "POSTGRES", "MARIADB"})
  void rollbackToPreStartTagRestoresThePreviousState(String kind) throws Exception {
    target(kind);
    StepHarness.Run apply = harness.execute(request(StepKind.STEP_KIND_APPLY, "yaml/changelog.yaml")
        .putParameters("personName", "Ada").build());
    assertThat(apply.result().getStatus()).as(apply.result().getError()).isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    String preTag = apply.result().getOutputsMap().get("preStartTag");

    StepHarness.Run rollback = harness.execute(request(StepKind.STEP_KIND_ROLLBACK, "yaml/changelog.yaml")
        .putParameters("personName", "Ada").setTag(preTag).build());

    assertThat(rollback.result().getStatus()).as(rollback.result().getError())
        .isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    assertThat(rollback.result().getOutputsMap()).containsEntry("rolledBack", "3");
    assertThat(rollback.result().getChangesetsList()).extracting(ChangeSetRecord::getState)
        .containsOnly("ROLLED_BACK");
    assertThat(db.tableExists("person")).isFalse();
    assertThat(db.changelogRows("1")).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"H2", "POSTGRES"})
  void failingChangesetStopsTheApplyAndIsNotRecorded(String kind) throws Exception {
    target(kind);

    StepHarness.Run run = harness.execute(request(StepKind.STEP_KIND_APPLY, "bad/changelog.sql").build());

    assertThat(run.result().getStatus()).isEqualTo(StepStatus.STEP_STATUS_FAILED);
    assertThat(run.result().getError())
        .startsWith("Changeset bad/changelog.sql::3::alice failed: ")
        .containsIgnoringCase("TABLEX")
        .doesNotContain("\n")
        .doesNotContain("at liquibase.");
    assertThat(run.result().getChangesetsList()).extracting(ChangeSetRecord::getId, ChangeSetRecord::getState)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("1", "EXECUTED"),
            org.assertj.core.groups.Tuple.tuple("2", "EXECUTED"),
            org.assertj.core.groups.Tuple.tuple("3", "FAILED"));
    assertThat(run.result().getOutputsMap()).containsEntry("changesetsApplied", "2");
    assertThat(run.logs()).anySatisfy(line -> {
      assertThat(line.getLevel()).isEqualTo(io.dbops.proto.v1.LogLevel.LOG_LEVEL_ERROR);
      assertThat(line.getText()).isEqualTo(run.result().getError());
    });
    assertThat(db.changelogRows("1")).isEqualTo(1);
    assertThat(db.changelogRows("2")).isEqualTo(1);
    assertThat(db.changelogRows("3")).isZero();
    assertThat(db.changelogRows("4")).isZero();
    assertThat(db.tableExists("t2")).isTrue();
    assertThat(db.tableExists("t4")).isFalse();
  }
}
