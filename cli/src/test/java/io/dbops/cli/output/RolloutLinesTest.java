package io.dbops.cli.output;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.api.ExecutionView;
import io.dbops.api.ExecutionView.StageView;
import io.dbops.api.RolloutView;
import io.dbops.api.RolloutView.TargetView;
import io.dbops.pipeline.Rollout;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RolloutLinesTest {
  static final Instant T0 = Instant.parse("2026-12-07T08:00:00Z");

  @Test
  void executionShowSummarisesCountsAndListsFailuresWaitsAndSkips() {
    RolloutView rollout = new RolloutView("tier=tenant", new Rollout(1, List.of("5"), 3, 3, "2"),
        new RolloutView.Counts(1, 1, 2, 1, 1, 2), 1, List.of(
            new TargetView("t0", "db-a:5432", 0, "SUCCEEDED", "ex-c0", null, "h1", List.of("bob"), false),
            new TargetView("t1", "db-a:5432", 1, "FAILED", "ex-c1", "Step apply failed: boom", "h1", List.of("bob"), false),
            new TargetView("t2", "db-b:5432", 1, "ROLLED_BACK", "ex-c2", "Step apply failed: bang", "h1", List.of(), false),
            new TargetView("t3", "db-b:5432", 1, "WAITING_APPROVAL", "ex-c3", null, "h2", List.of(), true),
            new TargetView("t4", "db-a:5432", 1, "SUCCEEDED", "ex-c4", null, "h1", List.of("bob"), false),
            new TargetView("t5", null, 2, "SKIPPED", null, "not started: budget", null, List.of(), false),
            new TargetView("t6", null, 2, "SKIPPED", null, "not started: budget", null, List.of(), false),
            new TargetView("t7", null, 3, "QUEUED", null, null, null, List.of(), false)));
    StageView stage = new StageView("tenants", "RUNNING", null, List.of(), "group tier=tenant", null, null, T0,
        null, null, null, rollout);
    ExecutionView view = new ExecutionView("ex-1", "fleet", "RUNNING", null, T0, T0, null, List.of(stage));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    new ExecutionDetails(new PrintStream(bytes, true, StandardCharsets.UTF_8)).print(view, T0.plusSeconds(3));
    String text = bytes.toString(StandardCharsets.UTF_8);

    assertThat(text)
        .contains("    group:     tier=tenant (8 target(s))")
        .contains("    rollout:   2 succeeded, 1 failed, 1 rolled back, 2 skipped, 1 running, 1 queued;"
            + " 1 waiting for approval")
        .contains("      waiting:   t3 (execution ex-c3) needs its own decision: its SQL differs; dbops approve ex-c3")
        .contains("      failed:    t1 on db-a:5432 (execution ex-c1): Step apply failed: boom")
        .contains("      rolled back: t2 on db-b:5432 (execution ex-c2): Step apply failed: bang")
        .contains("      skipped:   t5, t6")
        .contains("    retry:     dbops retry ex-1 --failed")
        .doesNotContain("t0 on").doesNotContain("t4 on");
  }
}
