package io.dbops.agent.task;

import io.dbops.support.LogKeys;
import io.dbops.agent.runtime.PodException;
import io.dbops.agent.runtime.PodRuntime;
import io.dbops.agent.secrets.EnvNames;
import io.dbops.agent.secrets.PodCredentials;
import io.dbops.agent.secrets.PodMaskers;
import io.dbops.agent.secrets.PodSecrets;
import io.dbops.agent.secrets.SecretResolutionException;
import io.dbops.agent.secrets.SecretResolver;
import io.dbops.protocol.Frame;
import io.dbops.protocol.InitStageOutput;
import io.dbops.protocol.InitStagePayload;
import io.dbops.protocol.TaskTypes;
import io.dbops.secrets.Masker;
import io.dbops.support.Json;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.MDC;

/**
 * init_stage: checks that the pod's environment can be carried, resolves the stage's secrets
 * (after the allowlists), issues the pod's credential, starts its build pod and reports where its
 * lite engine listens. The pod's masker (its secrets and its credential) is kept until cleanup. What it does goes to the stage's delegate log
 * stream ({@link StageLogs}).
 */
final class InitStageHandler implements TaskHandler {
  private final PodRuntime runtime;
  private final SecretResolver secrets;
  private final PodMaskers maskers;
  private final PodCredentials credentials;
  private final StageLogs stageLogs;
  private final String controlPlaneUrl;

  /**
   * @param controlPlaneUrl the log service of pods whose init task names none (the delegate's
   *     control plane URL)
   */
  InitStageHandler(PodRuntime runtime, SecretResolver secrets, PodMaskers maskers, PodCredentials credentials,
      StageLogs stageLogs, String controlPlaneUrl) {
    this.controlPlaneUrl = controlPlaneUrl;
    this.runtime = runtime;
    this.secrets = secrets;
    this.maskers = maskers;
    this.credentials = credentials;
    this.stageLogs = stageLogs;
  }

  @Override
  public Masker masker(Frame.TaskAssigned task) {
    return maskers.get(TaskHandler.podName(task));
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
        List<String> problems = envProblems(payload);
        if (!problems.isEmpty()) {
          throw new SecretResolutionException(String.join("; ", problems));
        }
        PodSecrets values = secrets.resolve(task.taskId(), payload)
            .withAccess(credentials.issue(payload.podName()), logServiceUrl(task));
        maskers.put(payload.podName(), values.masker());
        stage.info("Starting build pod " + payload.podName() + " for " + payload.stepContainers()
            + " step(s) and " + values.env().size() + " secret variable(s)" + attemptOf(task));
        InitStageOutput output = runtime.start(payload, values);
        stage.info("Build pod " + output.podName() + " is ready: lite engine at " + output.liteEngineAddress()
            + ", step containers on ports " + new java.util.TreeSet<>(output.stepPorts()));
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

  /** The control plane's log service as the init task names it ({@code delegateLogStream}), else its URL. */
  private String logServiceUrl(Frame.TaskAssigned task) {
    var ref = task.payload() == null ? null : task.payload().get("delegateLogStream");
    var url = ref == null ? null : ref.get("serviceUrl");
    return url != null && url.isTextual() && !url.asText().isBlank() ? url.asText() : controlPlaneUrl;
  }

  /** Plain variables a process environment cannot carry, naming only the variable. */
  private static List<String> envProblems(InitStagePayload payload) {
    List<String> problems = new ArrayList<>();
    payload.secretEnv().forEach(secret -> {
      if (EnvNames.isValid(secret.name()) && EnvNames.reserved(secret.name()) != null) {
        problems.add(EnvNames.reserved(secret.name()));
      }
    });
    payload.env().forEach((name, value) -> {
      if (!EnvNames.isValid(name)) {
        problems.add(EnvNames.invalid(name));
      } else if (EnvNames.reserved(name) != null) {
        problems.add(EnvNames.reserved(name));
      } else if (!EnvNames.canCarry(value)) {
        problems.add("The value of variable " + name + " contains a NUL character, which a process environment"
            + " cannot carry");
      }
    });
    return problems;
  }
}
