package io.dbops.controlplane.queue;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.protocol.TaskStatus;
import java.util.List;

/**
 * A task as stored in the {@code tasks} table.
 *
 * @param status stored by its name
 * @param pinnedInstance when set, only this delegate instance may run the task (the pod lives there)
 * @param delegateInstance the instance that claimed it; null while queued
 * @param attempt 1 for the first run, + 1 each time the task is queued again (lease lapsed, released)
 * @param result the delegate's output; null until finished or when the task had none
 * @param createdAt times in epoch milliseconds; startedAt and finishedAt null until reached
 * @param queuedAt when the task was (last) queued
 * @param leaseExpiresAt while RUNNING, when the lease lapses unless renewed
 * @param reachability {@code host:port} sent in offers for the delegate to check; may be null
 * @param abortReason set when an abort was requested for this RUNNING task
 */
public record Task(
    String id,
    String executionId,
    String type,
    JsonNode payload,
    List<String> selectors,
    String pinnedInstance,
    TaskStatus status,
    String delegateInstance,
    int attempt,
    int timeoutSeconds,
    long createdAt,
    Long startedAt,
    Long finishedAt,
    JsonNode result,
    String error,
    long queuedAt,
    Long leaseExpiresAt,
    String reachability,
    String abortReason) {
  public Task {
    selectors = selectors == null ? List.of() : List.copyOf(selectors);
  }

  /** The stage the task belongs to (from its payload), or null for diagnostics tasks. */
  public String stageName() {
    JsonNode stage = payload == null ? null : payload.get("stageName");
    return stage == null || !stage.isTextual() ? null : stage.asText();
  }
}
