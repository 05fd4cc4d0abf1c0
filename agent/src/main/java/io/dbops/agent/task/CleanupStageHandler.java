package io.dbops.agent.task;

import io.dbops.agent.secrets.PodCredentials;
import io.dbops.secrets.Masker;

import io.dbops.support.LogKeys;
import io.dbops.agent.runtime.PodRuntime;
import io.dbops.agent.secrets.PodMaskers;
import io.dbops.protocol.CleanupStagePayload;
import io.dbops.protocol.Frame;
import io.dbops.protocol.TaskTypes;
import io.dbops.support.Json;
import org.slf4j.MDC;

/**
 * cleanup_stage: stops the stage's build pod and ends the stage's delegate log stream. Idempotent.
 */
final class CleanupStageHandler implements TaskHandler {
  private final PodRuntime runtime;
  private final PodMaskers maskers;
  private final PodCredentials credentials;
  private final StageLogs stageLogs;

  CleanupStageHandler(PodRuntime runtime, PodMaskers maskers, PodCredentials credentials, StageLogs stageLogs) {
    this.runtime = runtime;
    this.maskers = maskers;
    this.credentials = credentials;
    this.stageLogs = stageLogs;
  }

  @Override
  public Masker masker(Frame.TaskAssigned task) {
    return maskers.get(TaskHandler.podName(task));
  }

  @Override
  public String taskType() {
    return TaskTypes.CLEANUP_STAGE;
  }

  @Override
  public TaskOutcome run(Frame.TaskAssigned task) throws InterruptedException {
    CleanupStagePayload payload = Json.convert(task.payload(), CleanupStagePayload.class);
    try (var pod = MDC.putCloseable(LogKeys.POD, payload.podName())) {
      StageLog stage = stageLogs.of(task.payload(), payload.podName(), maskers);
      stage.info("Stopping build pod " + payload.podName());
      runtime.stop(payload.podName());
      stage.info("Build pod " + payload.podName() + " stopped");
      stageLogs.finish(payload.podName()); // closes the stage's delegate stream
      maskers.remove(payload.podName());
      credentials.remove(payload.podName());
      return TaskOutcome.succeeded(null);
    }
  }
}
