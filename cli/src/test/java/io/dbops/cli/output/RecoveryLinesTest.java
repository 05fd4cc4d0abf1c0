package io.dbops.cli.output;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.api.ExecutionView;
import io.dbops.api.ExecutionView.Recovery;
import io.dbops.api.ExecutionView.RollbackView;
import io.dbops.api.ExecutionView.StageView;
import io.dbops.api.ExecutionView.StepView;
import io.dbops.protocol.StepOutput;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecoveryLinesTest {
  private static final String TAG = "dbops-pre-ex-1-20261207070000000";

  @Test
  void theSummaryShowsWhatTheRollbackUndidAndWhatItCouldNot() {
    StepOutput rolled = new StepOutput("SUCCEEDED", null, Map.of("rolledBack", "2", "removedTag", TAG),
        List.of(new StepOutput.ChangeSet("2", "dbops", "c.sql", "ROLLED_BACK", 5, 1),
            new StepOutput.ChangeSet("1", "dbops", "c.sql", "ROLLED_BACK", 5, 1)), 10, 3, 0);
    Recovery r = new Recovery("rollback", "ROLLED_BACK", "apply", null, null, null, null, 0,
        List.of(new RollbackView("apply", TAG, "SUCCEEDED", null, rolled)), "step apply: [1] CREATE TABLE t");

    String text = print(r, "FAILED");

    assertThat(text).contains("    on failure of apply (rollback): ROLLED_BACK\n")
        .contains("      rolled back apply to its pre-start tag " + TAG + ": 2 changeset(s) undone, tag removed\n")
        .contains("        undone: c.sql::2::dbops\n        undone: c.sql::1::dbops\n")
        .contains("      NOT undone: step apply: [1] CREATE TABLE t");
  }

  @Test
  void aPausedStageSaysHowToResumeAndUntilWhen() {
    Recovery r = new Recovery("pause", "PAUSED", "apply", Instant.EPOCH, Instant.parse("2026-12-07T08:00:00Z"),
        null, null, 0, List.of(), null);

    assertThat(print(r, "PAUSED")).contains("on failure of apply (pause): PAUSED\n")
        .contains("waiting for `dbops resume ex-1 --retry|--rollback|--abort` until 2026-12-07T08:00:00Z, then aborted");
  }

  @Test
  void aDecisionNamesWhoTookIt() {
    Recovery r = new Recovery("pause", "RETRIED", "apply", Instant.EPOCH, Instant.EPOCH, "retry", "alice", 1,
        List.of(), null);
    assertThat(print(r, "SUCCEEDED")).contains("on failure of apply (pause): RETRIED (retry by alice)");
  }

  private static String print(Recovery r, String status) {
    StepView step = new StepView("apply", "apply", "FAILED", "boom", null);
    ExecutionView ex = new ExecutionView("ex-1", "p", status, null, Instant.EPOCH, Instant.EPOCH, Instant.EPOCH,
        List.of(new StageView("prod", status, null, List.of(step), r)));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    new SummaryPrinter(new PrintStream(bytes, true, StandardCharsets.UTF_8)).print(ex, Duration.ofSeconds(1));
    return bytes.toString(StandardCharsets.UTF_8).replace("\r\n", "\n");
  }
}
