package io.dbops.agent.task;

import io.dbops.agent.LogKeys;
import io.dbops.agent.runtime.PodRuntime;
import io.dbops.agent.secrets.PodMaskers;
import io.dbops.protocol.CleanupStagePayload;
import io.dbops.protocol.Frame;
import io.dbops.protocol.TaskTypes;
import io.dbops.support.Json;
import org.slf4j.MDC;

/** cleanup_stage: stops the stage's build pod. Idempotent. */
final class CleanupStageHandler implements TaskHandler {
  private final PodRuntime runtime;
  private final PodMaskers maskers;

  CleanupStageHandler(PodRuntime runtime, PodMaskers maskers) {
    this.runtime = runtime;
    this.maskers = maskers;
  }

  @Override
  public String taskType() {
    return TaskTypes.CLEANUP_STAGE;
  }

  @Override
  public TaskOutcome run(Frame.TaskAssigned task) throws InterruptedException {
    CleanupStagePayload payload = Json.convert(task.payload(), CleanupStagePayload.class);
    try (var pod = MDC.putCloseable(LogKeys.POD, payload.podName())) {
      runtime.stop(payload.podName());
      maskers.remove(payload.podName());
      return TaskOutcome.succeeded(null);
    }
  }
}
