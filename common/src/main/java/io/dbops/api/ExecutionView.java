package io.dbops.api;

import io.dbops.protocol.StepOutput;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An execution as {@code GET /api/v1/executions/{id}} returns it (docs/api.md).
 *
 * @param status QUEUED, RUNNING, WAITING_APPROVAL (an approval step waits), PAUSED (a failed step waits for resume), SUCCEEDED or FAILED
 * @param error why the execution failed, or, while PAUSED, the failure it paused on; null otherwise
 * @param origin who started it, from where, and which pipeline; null for executions stored before
 *     the origin was recorded
 * @param events what happened to the execution besides its stages running: a stage no delegate
 *     could take, approvals, rollbacks; oldest first
 */
public record ExecutionView(
    String id,
    String pipelineName,
    String status,
    String error,
    Instant createdAt,
    Instant startedAt,
    Instant finishedAt,
    List<StageView> stages,
    Origin origin,
    List<Event> events) {
  public ExecutionView {
    stages = stages == null ? List.of() : List.copyOf(stages);
    events = events == null ? List.of() : List.copyOf(events);
  }

  /** An execution without an origin or events (older servers, tests). */
  public ExecutionView(String id, String pipelineName, String status, String error,
      Instant createdAt, Instant startedAt, Instant finishedAt, List<StageView> stages) {
    this(id, pipelineName, status, error, createdAt, startedAt, finishedAt, stages, null, null);
  }

  /** True once the execution will not change any more. */
  public boolean finished() {
    return "SUCCEEDED".equals(status) || "FAILED".equals(status);
  }

  /**
   * Who started an execution, from where, and from which pipeline.
   *
   * @param startedBy the API token's identity (its name)
   * @param tokenName the API token, as {@code name (id)}
   * @param source {@code cli} (the CLI says so in the {@code X-Dbops-Client} header), {@code api},
     *     or {@code rollout} (one target of a rollout stage)
   * @param pipelineVersion the stored pipeline's version; null for an ad-hoc run
   * @param inputs the values given for the pipeline's declared inputs
   * @param parentId for one target of a rollout (source {@code rollout}), the rollout's execution;
   *     null otherwise
   * @param parentStage that execution's rollout stage; null otherwise
   */
  public record Origin(String startedBy, String tokenName, String source, String pipelineName,
      Integer pipelineVersion, Map<String, String> inputs, String parentId, String parentStage) {
    public Origin {
      inputs = inputs == null ? Map.of() : Map.copyOf(inputs);
    }

    /** An origin outside a rollout. */
    public Origin(String startedBy, String tokenName, String source, String pipelineName,
        Integer pipelineVersion, Map<String, String> inputs) {
      this(startedBy, tokenName, source, pipelineName, pipelineVersion, inputs, null, null);
    }
  }

  /**
   * Something that happened to an execution.
   *
   * @param type for example {@code no_delegate} (no connected delegate can take a stage),
   *     {@code approval}, {@code rollback}
   * @param stage the stage it concerns; null for the whole execution
   * @param actor who caused it ({@code dbops} for the control plane itself)
   * @param message what happened, in words
   * @param details more, by name (for example each delegate's reason)
   */
  public record Event(Instant at, String type, String stage, String actor, String message,
      Map<String, String> details) {
    public Event {
      details = details == null ? Map.of() : Map.copyOf(details);
    }
  }

  /**
   * @param status PENDING, RUNNING, PAUSED, SUCCEEDED, FAILED or SKIPPED
   * @param target the stored target's name, or the database URL without credentials and properties
   * @param delegateName the delegate that created the stage's build pod; null until one did
   * @param delegateInstance that delegate's instance id
   * @param waiting while no delegate can take the stage: why, and how long it waits; else null
   * @param recovery what the stage's failure strategy did; null when none ran
   * @param rollout for a rollout stage (a {@code targetGroup}), each target's status; null for an
   *     ordinary stage
   */
  public record StageView(String name, String status, String error, List<StepView> steps,
      String target, String delegateName, String delegateInstance, Instant startedAt,
      Instant finishedAt, String waiting, Recovery recovery, RolloutView rollout) {
    public StageView {
      steps = steps == null ? List.of() : List.copyOf(steps);
    }

    /** An ordinary stage (no rollout). */
    public StageView(String name, String status, String error, List<StepView> steps,
        String target, String delegateName, String delegateInstance, Instant startedAt,
        Instant finishedAt, String waiting, Recovery recovery) {
      this(name, status, error, steps, target, delegateName, delegateInstance, startedAt, finishedAt,
          waiting, recovery, null);
    }

    /** A stage without its target, delegate, times or a failure strategy's record. */
    public StageView(String name, String status, String error, List<StepView> steps) {
      this(name, status, error, steps, null, null, null, null, null, null, null, null);
    }

    /** A stage without a failure strategy's record. */
    public StageView(String name, String status, String error, List<StepView> steps,
        String target, String delegateName, String delegateInstance, Instant startedAt,
        Instant finishedAt, String waiting) {
      this(name, status, error, steps, target, delegateName, delegateInstance, startedAt, finishedAt,
          waiting, null, null);
    }

    /** A stage with only a failure strategy's record. */
    public StageView(String name, String status, String error, List<StepView> steps,
        Recovery recovery) {
      this(name, status, error, steps, null, null, null, null, null, null, recovery, null);
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
   * @param status PENDING, RUNNING, WAITING (an approval step), SUCCEEDED, FAILED or SKIPPED
   * @param output the step container's result; null until the step finished
   */
  public record StepView(String name, String type, String status, String error, StepOutput output,
      Instant startedAt, Instant finishedAt) {
    public StepView(String name, String type, String status, String error, StepOutput output) {
      this(name, type, status, error, output, null, null);
    }
  }
}
