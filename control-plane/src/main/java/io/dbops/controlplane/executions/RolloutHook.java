package io.dbops.controlplane.executions;

import io.dbops.pipeline.Stage;
import java.util.List;
import java.util.Optional;

/**
 * The seam between the execution state machine and the rollout controller
 * ({@code io.dbops.controlplane.rollouts}): a rollout stage (a stage with a {@code targetGroup})
 * runs no build pod of its own; the controller runs one child execution per target and ends the
 * stage with {@link ExecutionService#finishRolloutStage}. Every method is called on the
 * orchestrator thread after the change was saved; keep them short.
 */
public interface RolloutHook {
  /** Execution {@code executionId} reached its rollout stage {@code stage} (status RUNNING). */
  void stageStarted(String executionId, Stage stage);

  /**
   * The key under which the build pods of a rollout's target executions may be reused ({@code
   * init_stage.reuseKey}): non-null only for a child of rollout stage {@code parentStage} of
   * {@code parentId} whose rollout sets {@code reusePods}.
   */
  default String podReuseKey(String parentId, String parentStage) {
    return null;
  }

  /** Execution {@code executionId}, which may have a rollout stage running, was aborted. */
  void aborted(String executionId);

  /**
   * A rollout's child execution entered an approval step showing pending SQL with {@code sqlHash}
   * under an approval rule identified by {@code ruleKey}; the decision that covers it when the same
   * SQL was already approved in this rollout under the same rule, else empty (the child waits for
   * its own decision). The rule is part of the key so that a decision under a weaker rule (another
   * environment's) never covers a stricter one.
   */
  Optional<Coverage> approvalEntered(String childId, String sqlHash, String ruleKey);

  /** A rollout's child execution's approval of {@code sqlHash} under {@code ruleKey} was approved. */
  void approved(String childId, String sqlHash, String ruleKey, List<String> approvers);

  /**
   * An approval given once for a rollout.
   *
   * @param ruleKey the approval rule the decision was taken under
   * @param decidedIn the child execution whose approval step was decided
   */
  record Coverage(String sqlHash, String ruleKey, List<String> approvers, String decidedIn) {
    public Coverage {
      approvers = List.copyOf(approvers);
    }
  }
}
