package io.dbops.cli.output;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.api.ExecutionView;
import io.dbops.api.ExecutionView.Event;
import io.dbops.api.ExecutionView.Origin;
import io.dbops.api.ExecutionView.StageView;
import io.dbops.api.ExecutionView.StepView;
import io.dbops.protocol.StepOutput;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExecutionDetailsTest {
  static final Instant T0 = Instant.parse("2026-12-07T08:00:00Z");

  @Test
  void showsOriginTargetDelegateDurationsAndEvents() {
    StepView apply = new StepView("apply", "apply", "SUCCEEDED", null,
        new StepOutput("SUCCEEDED", null, Map.of("changesetsApplied", "2", "preStartTag", "t"),
            List.of(), 10, 5, 0), T0.plusSeconds(2), T0.plusMillis(4500));
    StageView prod = new StageView("prod", "SUCCEEDED", null, List.of(apply), "target orders-prod",
        "alpha", "inst-1", T0.plusSeconds(1), T0.plusSeconds(5), null);
    StageView later = new StageView("later", "RUNNING", null, List.of(), "jdbc:h2:mem:x", null, null,
        T0.plusSeconds(5), null, "Stage later: no delegate can take it: no delegate is connected");
    ExecutionView view = new ExecutionView("ex-1", "orders", "RUNNING", null, T0, T0, null,
        List.of(prod, later), new Origin("alice", "alice (pat-1)", "cli", "orders", 3,
            Map.of("ref", "v42", "a", "b")),
        List.of(new Event(T0.plusSeconds(6), "no_delegate", "later", "dbops", "no delegate", Map.of())));

    String text = print(view, T0.plusSeconds(10));

    assertThat(text)
        .contains("Execution ex-1: RUNNING")
        .contains("pipeline:    orders version 3")
        .contains("started by:  alice with token alice (pat-1) from cli")
        .contains("inputs:      a=b, ref=v42")
        .contains("stage prod: SUCCEEDED in 4.0 s")
        .contains("target:    target orders-prod")
        .contains("delegate:  alpha (instance inst-1)")
        .contains("step apply (apply): 2 changesets applied; rollback tag recorded before applying: t in 2.5 s")
        .contains("stage later: RUNNING in 5.0 s (running)")
        .contains("delegate:  (none yet)")
        .contains("waiting:   Stage later: no delegate can take it: no delegate is connected")
        .contains("2026-12-07T08:00:06Z no_delegate [later] by dbops: no delegate");
  }

  @Test
  void anExecutionWithoutARecordedOriginSaysSo() {
    ExecutionView view = new ExecutionView("ex-2", "p", "QUEUED", null, T0, null, null, List.of());
    assertThat(print(view, T0)).contains("pipeline:    p (ad hoc)")
        .contains("started by:  (not recorded)");
  }

  private static String print(ExecutionView view, Instant now) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    new ExecutionDetails(new PrintStream(bytes, true, StandardCharsets.UTF_8)).print(view, now);
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
