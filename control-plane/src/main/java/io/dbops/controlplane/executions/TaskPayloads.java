package io.dbops.controlplane.executions;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.controlplane.logs.LogService;
import io.dbops.controlplane.queue.NewTask;
import io.dbops.pipeline.Stage;
import io.dbops.pipeline.Step;
import io.dbops.protocol.CleanupStagePayload;
import io.dbops.protocol.ExecuteStepPayload;
import io.dbops.protocol.InitStageOutput;
import io.dbops.protocol.InitStagePayload;
import io.dbops.protocol.StepOutput;
import io.dbops.protocol.TaskTypes;
import io.dbops.support.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The tasks an execution enqueues (init_stage, execute_step, cleanup_stage) with their payloads
 * (io.dbops.protocol), and the outputs read back from their results. Pure: no I/O, no state.
 */
final class TaskPayloads {
  static final int INIT_TASK_TIMEOUT_SECONDS = 300;
  static final int CLEANUP_TASK_TIMEOUT_SECONDS = 300;
  static final int DEFAULT_STAGE_TIMEOUT_SECONDS = 3600;
  static final int DEFAULT_STEP_TIMEOUT_SECONDS = 1800;
  static final String PASSWORD_ENV = "DBOPS_DB_PASSWORD";

  private final Supplier<String> publicUrl;
  private final String image;

  /**
   * @param publicUrl base URL build pods use to reach the log service
   * @param image the build pod image
   */
  TaskPayloads(Supplier<String> publicUrl, String image) {
    this.publicUrl = publicUrl;
    this.image = image;
  }

  /** The init_stage task that creates the stage's build pod {@code podName}, not reusable. */
  NewTask initStage(String executionId, Stage stage, String podName) {
    return initStage(executionId, stage, podName, null);
  }

  /**
   * The init_stage task that creates the stage's build pod {@code podName}.
   *
   * @param reuseKey null, or the key under which a delegate may serve later stages with this pod
   *     ({@code init_stage.reuseKey})
   */
  NewTask initStage(String executionId, Stage stage, String podName, String reuseKey) {
    List<InitStagePayload.SecretEnv> secrets = new ArrayList<>();
    if (stage.database().passwordFrom() != null) {
      secrets.add(new InitStagePayload.SecretEnv(PASSWORD_ENV, stage.database().passwordFrom()));
    }
    for (int i = 0; i < stage.steps().size(); i++) {
      Step step = stage.steps().get(i);
      if ("clone".equals(step.type()) && step.passwordFrom() != null) {
        secrets.add(new InitStagePayload.SecretEnv(gitPasswordEnv(i), step.passwordFrom()));
      }
    }
    InitStagePayload payload = new InitStagePayload(executionId, stage.name(), podName, image,
        containerCount(stage), Map.of(), secrets, podLifetimeSeconds(stage),
        PodSettingsMapping.of(stage)).withReuseKey(reuseKey);
    return new NewTask(executionId, TaskTypes.INIT_STAGE, withDelegateStream(payload, executionId, stage.name()),
        stage.delegateSelectors(), null, INIT_TASK_TIMEOUT_SECONDS,
        reachability(stage.database().url()));
  }

  /** The execute_step task of step {@code stepIndex}, pinned to the instance holding the pod. */
  NewTask executeStep(String executionId, Stage stage, int stepIndex,
      ExecutionState.StageState s) {
    Step step = stage.steps().get(stepIndex);
    String passwordEnv = stage.database().passwordFrom() != null ? PASSWORD_ENV : "";
    ExecuteStepPayload.StepSpec spec = new ExecuteStepPayload.StepSpec(step.type(), step.changelog(),
        step.searchPath(), stage.database().url(), stage.database().username(), passwordEnv,
        step.contexts(), step.labels(), step.tag(), step.count() == null ? 0 : step.count(),
        step.parameters(), preTagPrefix(executionId), Boolean.TRUE.equals(step.nextOnly()),
        Boolean.TRUE.equals(step.failOnDrift()), step.policyFile(), Boolean.TRUE.equals(step.rollback()),
        gitSpec(step, stepIndex), tables(stage.database()),
        "apply".equals(step.type()) ? ApprovalSteps.boundHash(stage, s, stepIndex) : null,
        "apply".equals(step.type()) && requiresReversible(stage));
    // The token is added when the task is assigned (LogService.withLogToken); it is never stored.
    ExecuteStepPayload.LogStreamRef stream = new ExecuteStepPayload.LogStreamRef(publicUrl.get(),
        LogService.stepStream(executionId, s.name, step.name() + attemptSuffix(s, stepIndex)), null);
    ExecuteStepPayload payload = new ExecuteStepPayload(executionId, s.name, step.name(),
        s.podName, s.liteEngineAddress, s.stepPorts.get(containerIndex(stage, stepIndex)), spec, stream);
    int timeout = step.timeoutSeconds() != null ? step.timeoutSeconds() : DEFAULT_STEP_TIMEOUT_SECONDS;
    return new NewTask(executionId, TaskTypes.EXECUTE_STEP, withDelegateStream(payload, executionId, s.name),
        stage.delegateSelectors(), s.instance, timeout);
  }

  /** Step containers of a stage's pod: one per step but approval steps, which run nothing there. */
  static int containerCount(Stage stage) {
    return containerIndex(stage, stage.steps().size());
  }

  /** The container (and port) index of step {@code stepIndex}: the steps before it that have one. */
  static int containerIndex(Stage stage, int stepIndex) {
    int index = 0;
    for (int i = 0; i < stepIndex; i++) {
      if (!"approval".equals(stage.steps().get(i).type())) {
        index++;
      }
    }
    return index;
  }

  /** The target's Liquibase table and schema names; null when it uses Liquibase's defaults. */
  static ExecuteStepPayload.Tables tables(io.dbops.pipeline.Database database) {
    if (database.databaseChangelogTableName() == null && database.databaseChangelogLockTableName() == null
        && database.defaultSchemaName() == null && database.liquibaseSchemaName() == null) {
      return null;
    }
    return new ExecuteStepPayload.Tables(database.databaseChangelogTableName(),
        database.databaseChangelogLockTableName(), database.defaultSchemaName(), database.liquibaseSchemaName());
  }

  /**
   * {@code .retry<n>} for the n-th retry of a paused stage's failed step: each attempt logs to its own
   * stream (the first attempt's stream was closed when it ended); empty otherwise.
   */
  static String attemptSuffix(ExecutionState.StageState s, int stepIndex) {
    FailureRecovery r = s.recovery;
    return r != null && r.retries > 0 && r.failedStepIndex == stepIndex ? ".retry" + r.retries : "";
  }

  /**
   * The rollback of apply step {@code applyIndex} to the pre-start {@code tag} it recorded, in the
   * same build pod and step container (StageRecovery). Its step name is {@code <apply>.rollback}
   * (a '.' no pipeline step name has), its payload names the apply in {@code recoveryOf}, and it
   * carries the run's tag prefix, so the step runtime also removes the tag the apply recorded.
   */
  NewTask rollbackStep(String executionId, Stage stage, int applyIndex, ExecutionState.StageState s,
      String tag) {
    Step apply = stage.steps().get(applyIndex);
    String passwordEnv = stage.database().passwordFrom() != null ? PASSWORD_ENV : "";
    ExecuteStepPayload.StepSpec spec = new ExecuteStepPayload.StepSpec("rollback", apply.changelog(),
        apply.searchPath(), stage.database().url(), stage.database().username(), passwordEnv,
        apply.contexts(), apply.labels(), tag, 0, apply.parameters(), preTagPrefix(executionId), false, false,
        null, false, null, tables(stage.database()), null, false);
    String stepName = apply.name() + ".rollback";
    ExecuteStepPayload.LogStreamRef stream = new ExecuteStepPayload.LogStreamRef(publicUrl.get(),
        LogService.stepStream(executionId, s.name, stepName), null);
    ExecuteStepPayload payload = new ExecuteStepPayload(executionId, s.name, stepName,
        s.podName, s.liteEngineAddress, s.stepPorts.get(containerIndex(stage, applyIndex)), spec, stream);
    int timeout = apply.timeoutSeconds() != null ? apply.timeoutSeconds() : DEFAULT_STEP_TIMEOUT_SECONDS;
    com.fasterxml.jackson.databind.node.ObjectNode tree =
        (com.fasterxml.jackson.databind.node.ObjectNode) withDelegateStream(payload, executionId, s.name);
    tree.put(StageRecovery.RECOVERY_OF, apply.name());
    return new NewTask(executionId, TaskTypes.EXECUTE_STEP, tree, stage.delegateSelectors(), s.instance, timeout);
  }

  /** The prefix of the tags this run's applies record before they change anything. */
  static String preTagPrefix(String executionId) {
    return "dbops-pre-" + executionId;
  }

  /**
   * Whether the stage's applies must refuse pending changesets that cannot be rolled back: {@code
   * onFailure: rollback} without {@code allowIrreversible: true}.
   */
  static boolean requiresReversible(Stage stage) {
    return StageRecovery.ROLLBACK.equalsIgnoreCase(String.valueOf(stage.onFailure()))
        && !Boolean.TRUE.equals(stage.allowIrreversible());
  }

  /**
   * The most the stage's build pod may live, in seconds: the stage's timeout plus every approval's
   * wait (docs/environments.md "Approvals").
   */
  static int podLifetimeSeconds(Stage stage) {
    return stageTimeoutSeconds(stage) + ApprovalSteps.approvalSeconds(stage);
  }

  /** The stage's own timeout, in seconds. */
  static int stageTimeoutSeconds(Stage stage) {
    return stage.timeoutSeconds() > 0 ? stage.timeoutSeconds() : DEFAULT_STAGE_TIMEOUT_SECONDS;
  }

  /** What clone step {@code stepIndex} fetches; null for other kinds. */
  private static ExecuteStepPayload.GitSpec gitSpec(Step step, int stepIndex) {
    if (!"clone".equals(step.type())) {
      return null;
    }
    return new ExecuteStepPayload.GitSpec(step.repo(), step.ref(), step.into(),
        step.depth() == null ? 0 : step.depth(), step.username(),
        step.passwordFrom() == null ? null : gitPasswordEnv(stepIndex));
  }

  /** The step containers' variable holding the git password of clone step {@code stepIndex}. */
  static String gitPasswordEnv(int stepIndex) {
    return "DBOPS_GIT_PASSWORD_" + (stepIndex + 1);
  }

  /** The cleanup_stage task that deletes the stage's build pod, pinned like its steps. */
  NewTask cleanupStage(String executionId, ExecutionState.StageState s, Stage stage) {
    return new NewTask(executionId, TaskTypes.CLEANUP_STAGE,
        withDelegateStream(new CleanupStagePayload(executionId, s.name, s.podName), executionId, s.name),
        stage.delegateSelectors(), s.instance, CLEANUP_TASK_TIMEOUT_SECONDS);
  }

  /**
   * The payload as JSON with {@code delegateLogStream}: where the delegate ships its own lines of
   * the stage's tasks. The token is added at assignment (LogService.withLogToken), never stored.
   */
  private JsonNode withDelegateStream(Object payload, String executionId, String stage) {
    com.fasterxml.jackson.databind.node.ObjectNode tree = (com.fasterxml.jackson.databind.node.ObjectNode) Json.tree(payload);
    tree.set("delegateLogStream", Json.tree(new ExecuteStepPayload.LogStreamRef(publicUrl.get(),
        LogService.delegateStream(executionId, stage), null)));
    return tree;
  }

  /** The init_stage output of a result, or null when it is missing or malformed. */
  static InitStageOutput initOutput(JsonNode result) {
    try {
      return result == null ? null : Json.convert(result, InitStageOutput.class);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The execute_step output of a result, or null when it is missing or malformed. */
  static StepOutput stepOutput(JsonNode result) {
    try {
      return result == null || !result.isObject() ? null : Json.convert(result, StepOutput.class);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * {@code host:port} of a JDBC URL with an explicit port (the first host of a multi-host URL),
   * for the delegate's reachability check; null when the URL names no host and port (embedded
   * databases, default ports).
   */
  static String reachability(String jdbcUrl) {
    if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:")) {
      return null;
    }
    String rest;
    int slashes = jdbcUrl.indexOf("//");
    int at = jdbcUrl.indexOf('@');
    if (slashes >= 0) {
      rest = jdbcUrl.substring(slashes + 2);
    } else if (jdbcUrl.startsWith("jdbc:oracle:") && at >= 0) {
      rest = jdbcUrl.substring(at + 1); // jdbc:oracle:thin:@host:port:sid
    } else {
      return null;
    }
    int end = rest.length();
    for (char c : new char[] {'/', '?', ';', ','}) {
      int i = rest.indexOf(c);
      if (i >= 0 && i < end) {
        end = i;
      }
    }
    String hostPort = rest.substring(0, end);
    int userInfo = hostPort.lastIndexOf('@');
    if (userInfo >= 0) {
      hostPort = hostPort.substring(userInfo + 1);
    }
    String host;
    String port;
    if (hostPort.startsWith("[")) {
      int close = hostPort.indexOf(']');
      if (close < 0 || close + 1 >= hostPort.length() || hostPort.charAt(close + 1) != ':') {
        return null;
      }
      host = hostPort.substring(0, close + 1);
      port = hostPort.substring(close + 2).split(":")[0];
    } else {
      String[] parts = hostPort.split(":");
      if (parts.length < 2) {
        return null;
      }
      host = parts[0];
      port = parts[1];
    }
    if (host.isEmpty() || !port.matches("\\d{1,5}")) {
      return null;
    }
    return host + ":" + port;
  }

  /** {@code dbops-<executionId>-<stage>} as a DNS label: lowercase, at most 63 characters. */
  static String podName(String executionId, String stage) {
    String raw = ("dbops-" + executionId + "-" + stage).toLowerCase(Locale.ROOT)
        .replaceAll("[^a-z0-9-]", "-");
    if (raw.length() > 63) {
      raw = raw.substring(0, 63);
    }
    return raw.replaceAll("-+$", "");
  }
}
