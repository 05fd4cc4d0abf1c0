package io.dbops.agent.task;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.protocol.TaskStatus;
import io.dbops.support.Json;

/**
 * How a task ended: the fields of its {@code task_result}.
 *
 * @param error one actionable sentence when FAILED, otherwise null
 * @param output the task type's output as JSON, or null
 */
public record TaskOutcome(TaskStatus status, String error, JsonNode output) {
  public static TaskOutcome succeeded(Object output) {
    return new TaskOutcome(TaskStatus.SUCCEEDED, null, output == null ? null : Json.tree(output));
  }

  public static TaskOutcome failed(String error, Object output) {
    return new TaskOutcome(TaskStatus.FAILED, error, output == null ? null : Json.tree(output));
  }
}
