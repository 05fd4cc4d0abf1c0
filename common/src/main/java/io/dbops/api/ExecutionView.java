package io.dbops.api;

import io.dbops.protocol.StepOutput;
import java.time.Instant;
import java.util.List;

/**
 * An execution as {@code GET /api/v1/executions/{id}} returns it.
 *
 * @param status QUEUED, RUNNING, PAUSED (a stage with {@code onFailure: pause} waits for {@code
 *     dbops resume}), SUCCEEDED or FAILED
 * @param error why the execution failed, or, while PAUSED, the failure it paused on; null otherwise
 */
public record ExecutionView(
    String id,
    String pipelineName,
    String status,
    String error,
    Instant createdAt,
    Instant startedAt,
    Instant finishedAt,
    List<StageView> stages) {
  public ExecutionView {
    stages = stages == null ? List.of() : List.copyOf(stages);
  }

  /** True once the execution will not change any more. */
  public boolean finished() {
    return "SUCCEEDED".equals(status) || "FAILED".equals(status);
  }

  /**
   * @param status PENDING, RUNNING, PAUSED, SUCCEEDED, FAILED or SKIPPED
   * @param recovery what the stage's failure strategy did; null when none ran
   */
  public record StageView(String name, String status, String error, List<StepView> steps,
      Recovery recovery) {
    public StageView {
      steps = steps == null ? List.of() : List.copyOf(steps);
    }

    /** A stage without a failure strategy's record. */
    public StageView(String name, String status, String error, List<StepView> steps) {
      this(name, status, error, steps, null);
    }
  }

  /**
   * What a stage's failure strategy ({@code onFailure: rollback|pause}) did after a step failed.
   *
   * @param strategy {@code rollback} or {@code pause}
   * @param status PAUSED, ROLLING_BACK, ROLLED_BACK, ROLLBACK_FAILED, NOTHING_TO_UNDO, RETRIED or
   *     ABORTED
   * @param failedStep the step whose failure started it
   * @param pauseDeadline when a pause ends with an abort; null unless paused
   * @param decision {@code retry}, {@code rollback}, {@code abort} or {@code timeout}; null before one
   * @param decidedBy the API token's name, or {@code system} for a timeout
   * @param rollbacks each apply rolled back to its pre-start tag, newest first
   * @param notUndone what the rollback could not undo (statements of a half-applied changeset on a
   *     database without transactional DDL); null when nothing is known to remain
   */
  public record Recovery(String strategy, String status, String failedStep, Instant pausedAt,
      Instant pauseDeadline, String decision, String decidedBy, int retries, List<RollbackView> rollbacks,
      String notUndone) {
    public Recovery {
      rollbacks = rollbacks == null ? List.of() : List.copyOf(rollbacks);
    }
  }

  /**
   * One rollback of an apply step to the tag it recorded before it started.
   *
   * @param status RUNNING, SUCCEEDED or FAILED
   * @param output the rollback step's result (rolledBack, the changesets); null while running
   */
  public record RollbackView(String applyStep, String tag, String status, String error, StepOutput output) {}

  /**
   * @param status PENDING, RUNNING, SUCCEEDED, FAILED or SKIPPED
   * @param output the step container's result; null until the step finished
   */
  public record StepView(String name, String type, String status, String error, StepOutput output) {}
}
