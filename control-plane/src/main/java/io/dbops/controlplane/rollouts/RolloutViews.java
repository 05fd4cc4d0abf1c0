package io.dbops.controlplane.rollouts;

import io.dbops.api.RolloutView;
import io.dbops.pipeline.Rollout;
import io.dbops.support.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An execution's rollout stages as the execution view shows them. Stateless; thread-safe. */
final class RolloutViews {
  private RolloutViews() {}

  static Map<String, RolloutView> of(RolloutStore store, String executionId) {
    Map<String, RolloutView> views = new LinkedHashMap<>();
    for (RolloutStore.Rollout r : store.of(executionId)) {
      views.put(r.stage(), view(r, store.targets(executionId, r.stage())));
    }
    return views;
  }

  static Rollout policy(RolloutStore.Rollout r) {
    try {
      return Json.mapper().readValue(r.policy(), Rollout.class);
    } catch (IOException e) {
      throw new UncheckedIOException("Stored rollout policy of " + r.executionId() + " stage " + r.stage()
          + " is corrupt", e);
    }
  }

  static RolloutView view(RolloutStore.Rollout r, List<RolloutStore.TargetRow> rows) {
    Rollout policy = policy(r);
    int[] counts = new int[6];
    int waiting = 0;
    for (RolloutStore.TargetRow t : rows) {
      switch (t.status()) {
        case RolloutPlanner.QUEUED -> counts[0]++;
        case RolloutPlanner.RUNNING -> counts[1]++;
        case RolloutPlanner.WAITING_APPROVAL -> {
          counts[1]++;
          waiting++;
        }
        case RolloutPlanner.SUCCEEDED -> counts[2]++;
        case RolloutPlanner.FAILED -> counts[3]++;
        case RolloutPlanner.ROLLED_BACK -> counts[4]++;
        case RolloutPlanner.SKIPPED -> counts[5]++;
        default -> { }
      }
    }
    List<RolloutView.TargetView> targets = rows.stream().map(t -> new RolloutView.TargetView(t.target(),
        t.host(), t.wave(), t.status(), t.childId(), t.error(), t.sqlHash(), t.approvedBy(), t.ownApproval()))
        .toList();
    return new RolloutView(r.group(), policy, new RolloutView.Counts(counts[0], counts[1], counts[2], counts[3],
        counts[4], counts[5]), waiting, targets);
  }
}
