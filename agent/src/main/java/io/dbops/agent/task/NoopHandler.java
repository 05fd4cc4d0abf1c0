package io.dbops.agent.task;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.protocol.Frame;
import io.dbops.protocol.TaskTypes;
import java.util.Map;

/** noop: waits {@code sleepMillis} (default 0) and succeeds with output {@code {}}. */
final class NoopHandler implements TaskHandler {
  @Override
  public String taskType() {
    return TaskTypes.NOOP;
  }

  @Override
  public TaskOutcome run(Frame.TaskAssigned task) throws InterruptedException, TaskFailedException {
    JsonNode sleep = task.payload() == null ? null : task.payload().get("sleepMillis");
    long millis = sleep == null || sleep.isNull() ? 0 : sleep.asLong(-1);
    if (millis < 0 || (sleep != null && !sleep.isNull() && !sleep.canConvertToLong())) {
      throw new TaskFailedException("noop payload sleepMillis must be a whole number ≥ 0, got " + sleep);
    }
    if (millis > 0) {
      Thread.sleep(millis);
    }
    return TaskOutcome.succeeded(Map.of());
  }
}
