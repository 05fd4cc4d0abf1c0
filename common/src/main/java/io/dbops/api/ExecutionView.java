package io.dbops.api;

import io.dbops.protocol.StepOutput;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An execution as {@code GET /api/v1/executions/{id}} returns it (docs/api.md).
 *
 * @param status QUEUED, RUNNING, WAITING_APPROVAL (an approval step waits), PAUSED (a failed step waits for resume), SUCCEEDED or FAILED
 * @param error why the execution failed; null otherwise
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
   * @param source {@code cli} (the CLI says so in the {@code X-Dbops-Client} header) or {@code api}
   * @param pipelineVersion the stored pipeline's version; null for an ad-hoc run
   * @param inputs the values given for the pipeline's declared inputs
   */
  public record Origin(String startedBy, String tokenName, String source, String pipelineName,
      Integer pipelineVersion, Map<String, String> inputs) {
    public Origin {
      inputs = inputs == null ? Map.of() : Map.copyOf(inputs);
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
   * @param status PENDING, RUNNING, SUCCEEDED, FAILED or SKIPPED
   * @param target the stored target's name, or the database URL without credentials and properties
   * @param delegateName the delegate that created the stage's build pod; null until one did
   * @param delegateInstance that delegate's instance id
   * @param waiting while no delegate can take the stage: why, and how long it waits; else null
   */
  public record StageView(String name, String status, String error, List<StepView> steps,
      String target, String delegateName, String delegateInstance, Instant startedAt,
      Instant finishedAt, String waiting) {
    public StageView {
      steps = steps == null ? List.of() : List.copyOf(steps);
    }

    public StageView(String name, String status, String error, List<StepView> steps) {
      this(name, status, error, steps, null, null, null, null, null, null);
    }
  }

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
