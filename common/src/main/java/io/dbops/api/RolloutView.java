package io.dbops.api;

import io.dbops.pipeline.Rollout;
import java.util.List;

/**
 * A rollout stage's progress as the execution view shows it (docs/fleet-rollouts.md).
 *
 * @param group the stage's target group (label selector)
 * @param policy the rollout policy as declared (null fields: defaults)
 * @param waitingApproval how many targets wait for an approval now
 * @param targets every target of the group, in rollout order
 */
public record RolloutView(String group, Rollout policy, Counts counts, int waitingApproval,
    List<TargetView> targets) {
  public RolloutView {
    targets = targets == null ? List.of() : List.copyOf(targets);
  }

  /** How many targets are in each state. */
  public record Counts(int queued, int running, int succeeded, int failed, int rolledBack,
      int skipped) {}

  /**
   * One target of a rollout.
   *
   * @param host host:port of the target's database (the per-host limit's key); null when unknown
   * @param wave 0 for the canary, then 1, 2, ...
   * @param status QUEUED, RUNNING, WAITING_APPROVAL, SUCCEEDED, FAILED, ROLLED_BACK or SKIPPED
   * @param executionId the child execution that runs this target; null until it started
   * @param error why it failed or was skipped; null otherwise
   * @param sqlHash the hash of the pending SQL its approval showed; null when none
   * @param approvedBy who approved its SQL (directly, or by the decision that covered it)
   * @param ownApproval true when its pending SQL differed from the rollout's and needed its own
   *     decision
   */
  public record TargetView(String target, String host, int wave, String status, String executionId,
      String error, String sqlHash, List<String> approvedBy, boolean ownApproval) {
    public TargetView {
      approvedBy = approvedBy == null ? List.of() : List.copyOf(approvedBy);
    }
  }
}
