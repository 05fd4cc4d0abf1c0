package io.dbops.step;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.proto.v1.DatabaseTarget;
import io.dbops.proto.v1.StepKind;
import io.dbops.proto.v1.StepRequest;
import io.dbops.proto.v1.StepStatus;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The history holds the changelog's changesets under the path one search path gives; a step with
 * another search path is refused before anything runs, saying which search path reconciles it.
 */
class ChangesetIdentityIT {
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

  private StepRequest request(StepKind kind, Path searchPath, String changelog) {
    StepRequest.Builder b = StepHarness.request(kind, changelog, db.jdbcUrl(), db.username());
    return b.setStepId("exec-1/stage/" + UUID.randomUUID()).setSearchPath(searchPath.toString())
        .setDatabase(DatabaseTarget.newBuilder(b.getDatabase()).setPasswordEnv(StepHarness.PASSWORD_ENV))
        .putParameters("personName", "Ada").build();
  }

  @Test
  void aChangesetRecordedUnderAnotherPathIsRefusedWithTheSearchPathThatReconcilesIt() throws Exception {
    Path root = StepHarness.changelogs();
    StepHarness.Run applied = harness.execute(request(StepKind.STEP_KIND_APPLY, root, "yaml/changelog.yaml"));
    assertThat(applied.result().getStatus()).isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    long rows = db.changelogRows();

    // The same changelog through its own directory: every changeset would get a second identity.
    for (StepKind kind : new StepKind[] {StepKind.STEP_KIND_STATUS, StepKind.STEP_KIND_APPLY,
        StepKind.STEP_KIND_SYNC, StepKind.STEP_KIND_PREVIEW}) {
      StepHarness.Run run = harness.execute(request(kind, root.resolve("yaml"), "changelog.yaml"));
      assertThat(run.result().getStatus()).as(kind.name()).isEqualTo(StepStatus.STEP_STATUS_FAILED);
      assertThat(run.result().getError()).as(kind.name())
          .startsWith("Changeset changelog.yaml::1::alice is recorded in DATABASECHANGELOG under another path, as"
              + " yaml/changelog.yaml::1::alice: Liquibase would take it for a new changeset and run it again"
              + " (3 changesets are recorded under another path).")
          .contains("dbops step --search-path " + root + ";")
          .contains("logicalFilePath=\"yaml/changelog.yaml\"");
      assertThat(run.logText()).doesNotContain("Applying").doesNotContain("Marking");
    }
    assertThat(db.changelogRows()).isEqualTo(rows);

    // The suggested search path agrees with the history.
    StepHarness.Run status = harness.execute(request(StepKind.STEP_KIND_STATUS, root, "yaml/changelog.yaml"));
    assertThat(status.result().getOutputsMap()).containsEntry("pending", "0");
  }
}
