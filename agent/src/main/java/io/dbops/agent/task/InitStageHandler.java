package io.dbops.agent.task;

import io.dbops.support.LogKeys;
import io.dbops.agent.runtime.PodException;
import io.dbops.agent.runtime.PodRuntime;
import io.dbops.agent.secrets.PodMaskers;
import io.dbops.agent.secrets.PodSecrets;
import io.dbops.agent.secrets.SecretResolutionException;
import io.dbops.agent.secrets.SecretResolver;
import io.dbops.protocol.Frame;
import io.dbops.protocol.InitStageOutput;
import io.dbops.protocol.InitStagePayload;
import io.dbops.protocol.TaskTypes;
import io.dbops.support.Json;
import org.slf4j.MDC;

/**
 * init_stage: resolves the stage's secrets, starts its build pod and reports where its lite engine
 * listens. The pod's masker is kept until cleanup. What it does goes to the stage's delegate log
 * stream ({@link StageLogs}).
 */
final class InitStageHandler implements TaskHandler {
  private final PodRuntime runtime;
  private final SecretResolver secrets;
  private final PodMaskers maskers;
  private final StageLogs stageLogs;

  InitStageHandler(PodRuntime runtime, SecretResolver secrets, PodMaskers maskers, StageLogs stageLogs) {
    this.runtime = runtime;
    this.secrets = secrets;
    this.maskers = maskers;
    this.stageLogs = stageLogs;
  }

  private static String attemptOf(Frame.TaskAssigned task) {
    return task.attempt() > 1 ? " (attempt " + task.attempt() + ")" : "";
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
      StageLog stage = stageLogs.of(task.payload(), payload.podName(), maskers);
      try {
        PodSecrets values = secrets.resolve(task.taskId(), payload);
        maskers.put(payload.podName(), values.masker());
        stage.info("Starting build pod " + payload.podName() + " with " + payload.stepContainers()
            + " step container(s) and " + values.env().size() + " secret variable(s)" + attemptOf(task));
        InitStageOutput output = runtime.start(payload, values);
        stage.info("Build pod " + output.podName() + " is ready: lite engine at " + output.liteEngineAddress()
            + ", step containers on ports " + output.stepPorts());
        return TaskOutcome.succeeded(output);
      } catch (SecretResolutionException e) {
        stage.error("Cannot resolve the secrets of build pod " + payload.podName() + ": " + e.getMessage());
        return TaskOutcome.failed(e.getMessage(), null);
      } catch (PodException e) {
        String message = maskers.get(payload.podName()).apply(e.getMessage());
        stage.error("Build pod " + payload.podName() + " did not start: " + message);
        return TaskOutcome.failed(message, null);
      }
    }
  }
}
