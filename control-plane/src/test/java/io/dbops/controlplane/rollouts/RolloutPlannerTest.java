package io.dbops.controlplane.rollouts;

import static io.dbops.controlplane.rollouts.RolloutPlanner.FAILED;
import static io.dbops.controlplane.rollouts.RolloutPlanner.QUEUED;
import static io.dbops.controlplane.rollouts.RolloutPlanner.ROLLED_BACK;
import static io.dbops.controlplane.rollouts.RolloutPlanner.RUNNING;
import static io.dbops.controlplane.rollouts.RolloutPlanner.SKIPPED;
import static io.dbops.controlplane.rollouts.RolloutPlanner.SUCCEEDED;
import static io.dbops.controlplane.rollouts.RolloutPlanner.WAITING_APPROVAL;
import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.controlplane.rollouts.RolloutPlanner.Entry;
import io.dbops.controlplane.rollouts.RolloutPlanner.Plan;
import io.dbops.pipeline.Rollout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RolloutPlannerTest {
  /** 20 targets, canary 1, waves of 5; t0..t9 on host a, t10..t19 on host b. */
  private static List<Entry> fleet() {
    int[] waves = new Rollout(1, List.of("5"), 3, 3, "2").waveOf(20);
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      entries.add(new Entry("t" + i, i < 10 ? "a:5432" : "b:5432", waves[i], QUEUED));
    }
    return entries;
  }

  private static List<Entry> with(List<Entry> entries, String status, String... targets) {
    List<Entry> out = new ArrayList<>();
    for (Entry e : entries) {
      out.add(List.of(targets).contains(e.target()) ? new Entry(e.target(), e.host(), e.wave(), status) : e);
    }
    return out;
  }

  private static Plan plan(List<Entry> entries) {
    return RolloutPlanner.plan(entries, 5, 3, 2, false);
  }

  @Test
  void theCanaryStartsFirstAndAlone() {
    Plan first = plan(fleet());
    assertThat(first.start()).containsExactly("t0");
    assertThat(first.done()).isFalse();
    assertThat(plan(with(fleet(), RUNNING, "t0")).start()).isEmpty();
    assertThat(plan(with(fleet(), WAITING_APPROVAL, "t0")).start()).isEmpty();
  }

  @Test
  void aCanaryFailureSkipsEverythingElseWhateverTheBudget() {
    Plan plan = RolloutPlanner.plan(with(fleet(), FAILED, "t0"), 5, 3, 10, false);
    assertThat(plan.start()).isEmpty();
    assertThat(plan.skip()).hasSize(19).doesNotContain("t0");
    assertThat(plan.stopReason()).isEqualTo("the canary failed");
    assertThat(plan.done()).isTrue();
    assertThat(plan.succeeded()).isFalse();
  }

  @Test
  void theNextWaveStartsOnlyWhenThePreviousIsDoneAndThePerHostLimitHolds() {
    List<Entry> afterCanary = with(fleet(), SUCCEEDED, "t0");
    // wave 1 is t1..t5, all on host a: 3 per host
    assertThat(plan(afterCanary).start()).containsExactly("t1", "t2", "t3");
    List<Entry> running = with(afterCanary, RUNNING, "t1", "t2", "t3");
    assertThat(plan(running).start()).isEmpty();
    List<Entry> oneDone = with(running, SUCCEEDED, "t1");
    assertThat(plan(oneDone).start()).containsExactly("t4");
    // wave 2 (t6..t10) waits while wave 1 still runs
    List<Entry> wave1Left = with(with(afterCanary, SUCCEEDED, "t1", "t2", "t3", "t4"), RUNNING, "t5");
    assertThat(plan(wave1Left).start()).isEmpty();
    List<Entry> wave1Done = with(wave1Left, SUCCEEDED, "t5");
    // t6..t9 on a (3 allowed), t10 on b
    assertThat(plan(wave1Done).start()).containsExactly("t6", "t7", "t8", "t10");
  }

  @Test
  void maxParallelCapsTheWholeRollout() {
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      entries.add(new Entry("t" + i, "h" + i, 1, QUEUED));
    }
    assertThat(RolloutPlanner.plan(entries, 4, 1, 1, false).start()).containsExactly("t0", "t1", "t2", "t3");
    List<Entry> someRunning = with(entries, RUNNING, "t0", "t1", "t2");
    assertThat(RolloutPlanner.plan(someRunning, 4, 1, 1, false).start()).containsExactly("t3");
  }

  @Test
  void aSpentBudgetStartsNothingNewLetsRunningOnesFinishAndSkipsTheRest() {
    List<Entry> entries = with(with(with(fleet(), SUCCEEDED, "t0", "t1", "t2", "t3"), FAILED, "t4"),
        ROLLED_BACK, "t5");
    // wave 1 done with 2 failures: budget 2 is spent
    Plan plan = plan(entries);
    assertThat(plan.start()).isEmpty();
    assertThat(plan.skip()).hasSize(14).contains("t6", "t19");
    assertThat(plan.stopReason()).isEqualTo("the failure budget of 2 is spent (2 failed)");
    assertThat(plan.done()).isTrue();
    // with a target still running, the rollout is not done yet
    List<Entry> stillRunning = with(with(with(fleet(), SUCCEEDED, "t0", "t1"), FAILED, "t2", "t3"), RUNNING, "t4");
    Plan waiting = plan(stillRunning);
    assertThat(waiting.start()).isEmpty();
    assertThat(waiting.done()).isFalse();
    assertThat(waiting.skip()).contains("t5", "t19");
  }

  @Test
  void oneFailureWithinTheBudgetLetsTheNextWaveStart() {
    List<Entry> entries = with(with(fleet(), SUCCEEDED, "t0", "t1", "t2", "t3", "t4"), FAILED, "t5");
    assertThat(plan(entries).start()).containsExactly("t6", "t7", "t8", "t10");
  }

  @Test
  void anAbortSkipsQueuedTargetsAndWaitsForRunningOnes() {
    List<Entry> entries = with(with(fleet(), SUCCEEDED, "t0"), RUNNING, "t1");
    Plan plan = RolloutPlanner.plan(entries, 5, 3, 2, true);
    assertThat(plan.start()).isEmpty();
    assertThat(plan.skip()).hasSize(18);
    assertThat(plan.done()).isFalse();
    Plan after = RolloutPlanner.plan(with(with(entries, SKIPPED, plan.skip().toArray(String[]::new)), FAILED, "t1"),
        5, 3, 2, true);
    assertThat(after.done()).isTrue();
    assertThat(after.succeeded()).isFalse();
  }

  @Test
  void succeedsOnlyWhenEveryTargetSucceeded() {
    List<Entry> all = fleet().stream().map(e -> new Entry(e.target(), e.host(), e.wave(), SUCCEEDED)).toList();
    Plan plan = plan(all);
    assertThat(plan.done()).isTrue();
    assertThat(plan.succeeded()).isTrue();
    assertThat(plan.start()).isEmpty();
    assertThat(plan.skip()).isEmpty();
  }

  @Test
  void targetsWithoutAKnownHostAreLimitedOnlyByMaxParallel() {
    List<Entry> entries = List.of(new Entry("x", null, 1, QUEUED), new Entry("y", null, 1, QUEUED));
    assertThat(RolloutPlanner.plan(entries, 5, 1, 1, false).start()).containsExactly("x", "y");
  }
}
