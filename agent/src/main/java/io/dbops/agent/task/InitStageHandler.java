package io.dbops.agent.task;

import io.dbops.agent.LogKeys;
import io.dbops.agent.runtime.PodException;
import io.dbops.agent.runtime.PodRuntime;
import io.dbops.protocol.Frame;
import io.dbops.protocol.InitStagePayload;
import io.dbops.protocol.TaskTypes;
import io.dbops.support.Json;
import org.slf4j.MDC;

/** init_stage: starts the stage's build pod and reports where its lite engine listens. */
final class InitStageHandler implements TaskHandler {
  private final PodRuntime runtime;

  InitStageHandler(PodRuntime runtime) {
    this.runtime = runtime;
  }

  @Override
  public String taskType() {
    return TaskTypes.INIT_STAGE;
  }

  @Override
  public TaskOutcome run(Frame.TaskAssigned task) throws InterruptedException {
    InitStagePayload payload = Json.convert(task.payload(), InitStagePayload.class);
    try (var pod = MDC.putCloseable(LogKeys.POD, payload.podName());
        var execution = MDC.putCloseable(LogKeys.EXECUTION_ID, payload.executionId())) {
      return TaskOutcome.succeeded(runtime.start(payload));
    } catch (PodException e) {
      return TaskOutcome.failed(e.getMessage(), null);
    }
  }
}
