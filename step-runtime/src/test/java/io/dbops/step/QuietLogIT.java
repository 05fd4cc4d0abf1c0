package io.dbops.step;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.proto.v1.DatabaseTarget;
import io.dbops.proto.v1.LogLevel;
import io.dbops.proto.v1.LogLine;
import io.dbops.proto.v1.StepKind;
import io.dbops.proto.v1.StepRequest;
import io.dbops.proto.v1.StepStatus;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an operator reads in a step's log: true (a preview applies nothing) and each fact once. */
class QuietLogIT {
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

  private StepRequest request(StepKind kind, String changelog) {
    StepRequest.Builder b = StepHarness.request(kind, changelog, db.jdbcUrl(), db.username());
    return b.setDatabase(DatabaseTarget.newBuilder(b.getDatabase()).setPasswordEnv(StepHarness.PASSWORD_ENV))
        .putParameters("personName", "Ada").build();
  }

  @Test
  void aPreviewNeverSaysItAppliesAndSendsNoProgress() {
    StepHarness.Run run = harness.execute(request(StepKind.STEP_KIND_PREVIEW, "yaml/changelog.yaml"));

    assertThat(run.result().getStatus()).isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    assertThat(run.logText()).contains("CREATE TABLE")
        .doesNotContain("Applying").doesNotContain("Applied").doesNotContain("Running Changeset");
    assertThat(run.events()).noneMatch(e -> e.hasProgress());
  }

  @Test
  void aFailingApplyReportsItsFailureOnceAndLiquibasesDuplicatesGo() {
    StepHarness.Run run = harness.execute(request(StepKind.STEP_KIND_APPLY, "bad/changelog.sql"));

    assertThat(run.result().getStatus()).isEqualTo(StepStatus.STEP_STATUS_FAILED);
    assertThat(run.result().getError()).startsWith("Changeset bad/changelog.sql::3::alice failed: Syntax error");
    List<String> lines = run.logs().stream().map(LogLine::getText).toList();
    // The database's message once, on the step's one ERROR line.
    assertThat(lines.stream().filter(l -> l.contains("Syntax error"))).hasSize(1);
    assertThat(run.logs().stream().filter(l -> l.getLevel() == LogLevel.LOG_LEVEL_ERROR).map(LogLine::getText))
        .containsExactly(run.result().getError());
    // The operator's lines, each once; none of Liquibase's repeats of them.
    assertThat(lines).containsSubsequence("4 changeset(s) to apply.", "Applying changeset bad/changelog.sql::1::alice",
        "Applying changeset bad/changelog.sql::2::alice", "Applying changeset bad/changelog.sql::3::alice");
    assertThat(lines.stream().filter(l -> l.equals("Applying changeset bad/changelog.sql::3::alice"))).hasSize(1);
    assertThat(lines).noneMatch(l -> l.startsWith("Running Changeset"))
        .noneMatch(l -> l.startsWith("ERROR: Exception")).noneMatch(l -> l.startsWith("Successfully tagged"));
  }
}
