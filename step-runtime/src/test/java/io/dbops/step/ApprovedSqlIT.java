package io.dbops.step;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.proto.v1.StepKind;
import io.dbops.proto.v1.StepRequest;
import io.dbops.proto.v1.StepStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An APPLY bound to an approval's sqlHash (issue #15) against PostgreSQL, MariaDB and H2: a
 * changeset added after the preview makes it refuse before anything runs, naming the changeset.
 */
class ApprovedSqlIT extends HarnessedStepIT {
  private static final String FIRST = """
      --liquibase formatted sql

      --changeset ann:bound-1
      CREATE TABLE bound_table (id INT PRIMARY KEY, label VARCHAR(50));
      --rollback DROP TABLE bound_table;
      """;
  private static final String SECOND = """

      --changeset eve:bound-2
      CREATE TABLE sneaked_in (id INT);
      --rollback DROP TABLE sneaked_in;
      """;

  private StepRequest.Builder request(StepKind kind, Path dir) {
    return StepHarness.request(kind, "changelog.sql", db).setSearchPath(dir.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"POSTGRES", "MARIADB", "H2"})
  void anApplyRefusesWhenAChangesetAppearedAfterThePreviewAndRunsWhenTheSqlIsTheSame(String kind)
      throws Exception {
    target(kind);
    Path dir = Files.createDirectories(tmp.resolve("bound"));
    Path changelog = dir.resolve("changelog.sql");
    Files.writeString(changelog, FIRST);

    StepHarness.Run preview = harness.execute(request(StepKind.STEP_KIND_PREVIEW, dir).build());
    assertThat(preview.result().getStatus()).as(preview.result().getError()).isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    String approved = preview.result().getOutputsMap().get("sqlHash");
    assertThat(approved).matches("[0-9a-f]{64}");
    assertThat(preview.result().getOutputsMap().get("sqlHashes")).contains("changelog.sql::bound-1::ann");
    // A second preview (another deployment id, another time) hashes the same.
    assertThat(harness.execute(request(StepKind.STEP_KIND_PREVIEW, dir).build()).result().getOutputsMap())
        .containsEntry("sqlHash", approved);

    Files.writeString(changelog, FIRST + SECOND);
    Files.setLastModifiedTime(changelog, FileTime.from(Instant.now().plusSeconds(5)));
    StepHarness.Run refused = harness.execute(request(StepKind.STEP_KIND_APPLY, dir)
        .setApprovedSqlHash(approved).setTag("after").build());
    assertThat(refused.result().getStatus()).isEqualTo(StepStatus.STEP_STATUS_FAILED);
    assertThat(refused.result().getError()).contains("differs from the SQL approved")
        .contains("appeared since the approval: changelog.sql::bound-2::eve").doesNotContain("bound-1::ann");
    assertThat(refused.result().getOutputsMap()).containsEntry("changesetsApplied", "0");
    assertThat(db.tableExists("bound_table")).isFalse();
    assertThat(db.tableExists("sneaked_in")).isFalse();
    assertThat(db.tableExists("databasechangelog") ? db.changelogRows() : 0).isZero();

    // Bound to the SQL as it is now, the apply runs.
    String now = harness.execute(request(StepKind.STEP_KIND_PREVIEW, dir).build()).result().getOutputsMap().get("sqlHash");
    assertThat(now).isNotEqualTo(approved);
    StepHarness.Run applied = harness.execute(request(StepKind.STEP_KIND_APPLY, dir).setApprovedSqlHash(now).build());
    assertThat(applied.result().getStatus()).as(applied.result().getError()).isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    assertThat(applied.logText()).contains("is the SQL approved");
    assertThat(db.tableExists("sneaked_in")).isTrue();
  }
}
