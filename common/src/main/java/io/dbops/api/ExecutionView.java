package io.dbops.api;

import io.dbops.protocol.StepOutput;
import java.time.Instant;
import java.util.List;

/**
 * An execution as {@code GET /api/v1/executions/{id}} returns it.
 *
 * @param status QUEUED, RUNNING, WAITING_APPROVAL (an approval step waits), SUCCEEDED or FAILED
 * @param error why the execution failed; null otherwise
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

  /** @param status PENDING, RUNNING, SUCCEEDED, FAILED or SKIPPED */
  public record StageView(String name, String status, String error, List<StepView> steps) {
    public StageView {
      steps = steps == null ? List.of() : List.copyOf(steps);
    }
  }

  /**
   * @param status PENDING, RUNNING, WAITING (an approval step), SUCCEEDED, FAILED or SKIPPED
   * @param output the step container's result; null until the step finished
   */
  public record StepView(String name, String type, String status, String error, StepOutput output) {}
}
