package io.dbops.controlplane.queue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A task to enqueue.
 *
 * @param executionId null for diagnostics tasks ({@code POST /api/v1/tasks})
 * @param pinnedInstance null for any matching delegate; otherwise the only instance allowed
 * @param reachability {@code host:port} a delegate must reach before claiming; may be null
 */
public record NewTask(
    String executionId,
    String type,
    JsonNode payload,
    List<String> selectors,
    String pinnedInstance,
    int timeoutSeconds,
    String reachability) {
  public NewTask {
    selectors = selectors == null ? List.of() : List.copyOf(selectors);
    if (timeoutSeconds < 1) {
      throw new IllegalArgumentException("timeoutSeconds must be at least 1, not " + timeoutSeconds);
    }
  }

  public NewTask(String executionId, String type, JsonNode payload, List<String> selectors,
      String pinnedInstance, int timeoutSeconds) {
    this(executionId, type, payload, selectors, pinnedInstance, timeoutSeconds, null);
  }
}
