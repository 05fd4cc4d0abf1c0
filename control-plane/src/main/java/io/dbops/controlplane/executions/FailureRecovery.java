package io.dbops.controlplane.executions;

import io.dbops.protocol.StepOutput;
import java.util.ArrayList;
import java.util.List;

/**
 * What a stage's failure strategy did after a step failed (docs/environments.md, "Failure
 * strategies"): the rollback it ran, or the pause and the operator's decision. Stored in the
 * execution's state with its stage; mutable, changed only on the orchestrator thread.
 */
final class FailureRecovery {
  /** {@code rollback} or {@code pause}: the stage's {@code onFailure}. */
  public String strategy;
  /**
   * PAUSED (waiting for an operator), ROLLING_BACK, ROLLED_BACK, ROLLBACK_FAILED, NOTHING_TO_UNDO
   * (no apply of the stage changed anything), RETRIED or ABORTED.
   */
  public String status;
  /** The step whose failure started this, and its index in the stage. */
  public String failedStep;
  public int failedStepIndex;
  /** When the stage paused, and when the pause times out (epoch millis); null unless paused. */
  public Long pausedAt;
  public Long pauseDeadline;
  /** {@code retry}, {@code rollback}, {@code abort} or {@code timeout}, and who decided; null before. */
  public String decision;
  public String decidedBy;
  /** The rollbacks still to run (indices of apply steps, newest first), then those that ran. */
  public List<Integer> pendingRollbacks = new ArrayList<>();
  public List<Rollback> rollbacks = new ArrayList<>();
  /** What the rollback could not undo (half-applied statements on a database without transactional DDL). */
  public String notUndone;
  /** How many times a paused stage was retried. */
  public int retries;

  /** One rollback of one apply step to the pre-start tag it recorded. */
  static final class Rollback {
    public String applyStep;
    public String tag;
    /** RUNNING, SUCCEEDED or FAILED. */
    public String status;
    public String error;
    public StepOutput output;
  }
}
