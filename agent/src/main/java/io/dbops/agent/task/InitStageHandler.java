package io.dbops.agent.task;

import io.dbops.agent.LogKeys;
import io.dbops.agent.runtime.PodException;
import io.dbops.agent.runtime.PodRuntime;
import io.dbops.agent.secrets.PodMaskers;
import io.dbops.agent.secrets.PodSecrets;
import io.dbops.agent.secrets.SecretResolutionException;
import io.dbops.agent.secrets.SecretResolver;
import io.dbops.protocol.Frame;
import io.dbops.protocol.InitStagePayload;
import io.dbops.protocol.TaskTypes;
import io.dbops.support.Json;
import org.slf4j.MDC;

/**
 * init_stage: resolves the stage's secrets, starts its build pod and reports where its lite engine
 * listens. The pod's masker is kept until cleanup.
 */
final class InitStageHandler implements TaskHandler {
  private final PodRuntime runtime;
  private final SecretResolver secrets;
  private final PodMaskers maskers;

  InitStageHandler(PodRuntime runtime, SecretResolver secrets, PodMaskers maskers) {
    this.runtime = runtime;
    this.secrets = secrets;
    this.maskers = maskers;
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
      PodSecrets values = secrets.resolve(task.taskId(), payload);
      maskers.put(payload.podName(), values.masker());
      return TaskOutcome.succeeded(runtime.start(payload, values));
    } catch (SecretResolutionException e) {
      return TaskOutcome.failed(e.getMessage(), null);
    } catch (PodException e) {
      return TaskOutcome.failed(maskers.get(payload.podName()).apply(e.getMessage()), null);
    }
  }
}
