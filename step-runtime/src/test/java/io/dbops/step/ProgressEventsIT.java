package io.dbops.step;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.dbops.proto.v1.ChangeSetProgress;
import io.dbops.proto.v1.StepEvent;
import io.dbops.proto.v1.StepKind;
import io.dbops.proto.v1.StepRequest;
import io.dbops.proto.v1.StepStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The step runtime's structured {@code StepEvent.progress}, over a real (in-process) gRPC call. */
class ProgressEventsIT extends HarnessedStepIT {
  private static final String CHANGELOG = "progress.sql";

  /** Five changesets, each a table with its own rollback. */
  private Path changelog() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("changelogs"));
    StringBuilder sb = new StringBuilder("--liquibase formatted sql\n\n");
    for (int i = 1; i <= 5; i++) {
      sb.append("--changeset progress:").append(i).append('\n')
          .append("CREATE TABLE progress_").append(i).append(" (id INT PRIMARY KEY);\n")
          .append("--rollback DROP TABLE progress_").append(i).append(";\n\n");
    }
    Files.writeString(dir.resolve(CHANGELOG), sb);
    return dir;
  }

  private StepRequest.Builder request(StepKind kind, Path dir) {
    return StepHarness.request(kind, CHANGELOG, db).setSearchPath(dir.toString());
  }

  private static List<ChangeSetProgress> progress(StepHarness.Run run) {
    return run.events().stream().filter(StepEvent::hasProgress).map(StepEvent::getProgress).toList();
  }

  /** Each progress event comes right before the line that starts the same changeset. */
  private static void assertEachPrecedesItsLine(StepHarness.Run run, String verb) {
    List<StepEvent> events = run.events();
    for (int i = 0; i < events.size(); i++) {
      if (events.get(i).hasProgress()) {
        assertThat(events.get(i + 1).hasLog()).isTrue();
        assertThat(events.get(i + 1).getLog().getText())
            .isEqualTo(verb + " changeset " + events.get(i).getProgress().getChangeset());
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"H2", "POSTGRES", "MARIADB"})
  void applyAndRollbackSendProgressInOrderWithTheirTotals(String kind) throws Exception {
    db = TargetDb.named(kind, tmp);
    Path dir = changelog();

    StepHarness.Run apply = harness.execute(request(StepKind.STEP_KIND_APPLY, dir).build());

    assertThat(apply.result().getStatus()).as(apply.result().getError()).isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    assertThat(progress(apply)).extracting(ChangeSetProgress::getStarted, ChangeSetProgress::getTotal,
            ChangeSetProgress::getChangeset)
        .containsExactly(
            tuple(1, 5, CHANGELOG + "::1::progress"),
            tuple(2, 5, CHANGELOG + "::2::progress"),
            tuple(3, 5, CHANGELOG + "::3::progress"),
            tuple(4, 5, CHANGELOG + "::4::progress"),
            tuple(5, 5, CHANGELOG + "::5::progress"));
    assertEachPrecedesItsLine(apply, "Applying");
    String preTag = apply.result().getOutputsMap().get("preStartTag");

    StepHarness.Run byCount = harness.execute(request(StepKind.STEP_KIND_ROLLBACK, dir).setCount(2).build());

    assertThat(byCount.result().getStatus()).as(byCount.result().getError())
        .isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    assertThat(progress(byCount)).extracting(ChangeSetProgress::getStarted, ChangeSetProgress::getTotal,
            ChangeSetProgress::getChangeset)
        .containsExactly(
            tuple(1, 2, CHANGELOG + "::5::progress"),
            tuple(2, 2, CHANGELOG + "::4::progress"));
    assertEachPrecedesItsLine(byCount, "Rolling back");

    // The pre-start tag sits on Liquibase's internal row (the history was empty): three remain after it.
    StepHarness.Run toTag = harness.execute(request(StepKind.STEP_KIND_ROLLBACK, dir).setTag(preTag).build());

    assertThat(toTag.result().getStatus()).as(toTag.result().getError()).isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    assertThat(progress(toTag)).extracting(ChangeSetProgress::getStarted, ChangeSetProgress::getTotal,
            ChangeSetProgress::getChangeset)
        .containsExactly(
            tuple(1, 3, CHANGELOG + "::3::progress"),
            tuple(2, 3, CHANGELOG + "::2::progress"),
            tuple(3, 3, CHANGELOG + "::1::progress"));
    assertThat(db.changelogRows("1")).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"H2", "POSTGRES"})
  void secondApplyCountsOnlyWhatIsPending(String kind) throws Exception {
    db = TargetDb.named(kind, tmp);
    Path dir = changelog();
    assertThat(harness.execute(request(StepKind.STEP_KIND_APPLY, dir).build()).result().getStatus())
        .isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    assertThat(harness.execute(request(StepKind.STEP_KIND_ROLLBACK, dir).setCount(2).build()).result().getStatus())
        .isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);

    StepHarness.Run again = harness.execute(request(StepKind.STEP_KIND_APPLY, dir).build());

    assertThat(again.result().getStatus()).as(again.result().getError()).isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    assertThat(progress(again)).extracting(ChangeSetProgress::getStarted, ChangeSetProgress::getTotal,
            ChangeSetProgress::getChangeset)
        .containsExactly(
            tuple(1, 2, CHANGELOG + "::4::progress"),
            tuple(2, 2, CHANGELOG + "::5::progress"));
  }
}
