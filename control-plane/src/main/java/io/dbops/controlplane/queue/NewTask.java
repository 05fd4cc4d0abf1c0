package io.dbops.controlplane.queue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A task to enqueue.
 *
 * @param pinnedInstance null for any matching delegate; otherwise the only instance allowed
 */
public record NewTask(
    String executionId,
    String type,
    JsonNode payload,
    List<String> selectors,
    String pinnedInstance,
    int timeoutSeconds) {
  public NewTask {
    selectors = selectors == null ? List.of() : List.copyOf(selectors);
    if (timeoutSeconds < 1) {
      throw new IllegalArgumentException("timeoutSeconds must be at least 1, not " + timeoutSeconds);
    }
  }
}
