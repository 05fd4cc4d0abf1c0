package io.dbops.controlplane.executions;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.controlplane.http.ApiException;
import io.dbops.controlplane.logs.LogService;
import io.dbops.controlplane.queue.NewTask;
import io.dbops.controlplane.queue.Task;
import io.dbops.controlplane.queue.TaskListener;
import io.dbops.controlplane.queue.TaskQueue;
import io.dbops.controlplane.store.Ids;
import io.dbops.pipeline.Pipeline;
import io.dbops.pipeline.Stage;
import io.dbops.pipeline.Step;
import io.dbops.protocol.CleanupStagePayload;
import io.dbops.protocol.ExecuteStepPayload;
import io.dbops.protocol.InitStageOutput;
import io.dbops.protocol.InitStagePayload;
import io.dbops.protocol.StepOutput;
import io.dbops.protocol.TaskTypes;
import io.dbops.support.Json;
import io.dbops.support.NamedThreadFactory;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs executions: stages in order, each as init_stage, then execute_step per step, then
 * cleanup_stage, driven by task results. All decisions run on one thread,
 * {@code cp-orchestrator-1}, and the state is saved after every event, so a restarted server can
 * continue from the stored state. {@link #close} stops the thread; idempotent.
 */
public final class Orchestrator implements TaskListener, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Orchestrator.class);
  static final int INIT_TASK_TIMEOUT_SECONDS = 300;
  static final int CLEANUP_TASK_TIMEOUT_SECONDS = 300;
  static final int DEFAULT_STAGE_TIMEOUT_SECONDS = 3600;
  static final int DEFAULT_STEP_TIMEOUT_SECONDS = 1800;
  static final String PASSWORD_ENV = "DBOPS_DB_PASSWORD";
  static final String ABORTED = "aborted by user";

  private final ExecutionStore store;
  private final TaskQueue queue;
  private final LogService logs;
  private final Supplier<String> publicUrl;
  private final String image;
  private final Clock clock;
  private final Ids ids;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile ThreadPoolExecutor executor;

  Orchestrator(ExecutionStore store, TaskQueue queue, LogService logs,
      Supplier<String> publicUrl, String image, Clock clock, Ids ids) {
    this.store = store;
    this.queue = queue;
    this.logs = logs;
    this.publicUrl = publicUrl;
    this.image = image;
    this.clock = clock;
    this.ids = ids;
  }

  public void start() {
    executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(10_000), new NamedThreadFactory("cp-orchestrator", true),
        new ThreadPoolExecutor.AbortPolicy());
    // Executions accepted but not started before a restart start now; running ones continue as
    // their task results arrive.
    for (String id : store.unfinished()) {
      submitWork(id, () -> startExecution(id));
    }
  }

  /** Stores a validated pipeline as a new execution and starts it. Returns its id. */
  public String submit(Pipeline pipeline) {
    String id = ids.next("ex-", 12);
    ExecutionState state = new ExecutionState();
    for (Stage stage : pipeline.stages()) {
      ExecutionState.StageState s = new ExecutionState.StageState();
      s.name = stage.name();
      for (Step step : stage.steps()) {
        ExecutionState.StepState st = new ExecutionState.StepState();
        st.name = step.name();
        st.type = step.type();
        s.steps.add(st);
      }
      state.stages.add(s);
    }
    store.insert(new ExecutionRecord(id, pipeline, "QUEUED", null, state, clock.millis(), null, null));
    log.info("Execution {} of pipeline {} accepted", id, pipeline.name());
    submitWork(id, () -> startExecution(id));
    return id;
  }

  @Override
  public void taskFinished(Task task) {
    if (task.executionId() != null) {
      submitWork(task.executionId(), () -> onTaskFinished(task));
    }
  }

  @Override
  public void taskRequeued(Task task, String previousInstance) {
    if (task.executionId() != null && !TaskTypes.CLEANUP_STAGE.equals(task.type())) {
      submitWork(task.executionId(), () -> {
        ExecutionRecord ex = store.find(task.executionId()).orElse(null);
        if (ex != null && (ex.finished() || ex.state.aborted)) {
          queue.failQueued(task.id(), ABORTED);
        }
      });
    }
  }

  /**
   * Aborts an execution: running tasks get {@code abort}, queued ones are cancelled, no new work
   * starts, build pods are still cleaned up, and the execution ends FAILED "aborted by user".
   *
   * @throws ApiException 404 for an unknown execution, 409 when it already finished
   */
  public void abort(String id) {
    ExecutionRecord ex = store.find(id).orElseThrow(() -> ApiException.notFound(
        "No execution '" + id + "'; list them with GET /api/v1/executions"));
    if (ex.finished()) {
      throw new ApiException(409, "conflict", "Execution " + id + " already finished ("
          + ex.status + "); nothing to abort", List.of());
    }
    submitWork(id, () -> doAbort(id));
  }

  private void doAbort(String id) {
    ExecutionRecord ex = store.find(id).orElse(null);
    if (ex == null || ex.finished() || ex.state.aborted) {
      return;
    }
    ex.state.aborted = true;
    ex.error = ABORTED;
    if ("QUEUED".equals(ex.status)) {
      for (ExecutionState.StageState s : ex.state.stages) {
        s.status = "SKIPPED";
        s.steps.forEach(step -> step.status = "SKIPPED");
      }
      ex.status = "FAILED";
      ex.finishedAt = clock.millis();
      store.save(ex);
      logs.appendControl(id, "ERROR", "Execution " + id + " finished: FAILED (" + ABORTED + ")");
      logs.executionFinished(id);
      return;
    }
    store.save(ex);
    logs.appendControl(id, "ERROR", "Execution " + id + " " + ABORTED
        + ": stopping running tasks; build pods are still deleted");
    log.info("Execution {} aborted by user", id);
    queue.requestAbort(id, ABORTED);
    for (Task task : queue.unfinished(id)) {
      if (Task.QUEUED.equals(task.status()) && !TaskTypes.CLEANUP_STAGE.equals(task.type())) {
        queue.failQueued(task.id(), ABORTED);
      }
    }
  }

  private void submitWork(String executionId, Runnable work) {
    ThreadPoolExecutor ex = executor;
    if (ex == null || closed.get()) {
      return;
    }
    try {
      ex.execute(() -> {
        try (var ignored = MDC.putCloseable("executionId", executionId)) {
          work.run();
        } catch (RuntimeException e) {
          log.error("Orchestrating execution {} failed; it continues with the next event",
              executionId, e);
        }
      });
    } catch (RejectedExecutionException e) {
      log.error("Orchestrator queue full ({} events); dropped an event of execution {}",
          ex.getQueue().size(), executionId);
    }
  }

  private void startExecution(String id) {
    ExecutionRecord ex = store.find(id).orElse(null);
    if (ex == null || !"QUEUED".equals(ex.status)) {
      return;
    }
    ex.status = "RUNNING";
    ex.startedAt = clock.millis();
    logs.appendControl(id, "INFO", "Execution " + id + " of pipeline " + ex.pipeline.name()
        + " started: " + ex.pipeline.stages().size() + " stage(s)");
    startStage(ex, 0);
  }

  private void startStage(ExecutionRecord ex, int index) {
    Stage stage = ex.pipeline.stages().get(index);
    ExecutionState.StageState s = ex.state.stages.get(index);
    s.status = "RUNNING";
    s.podName = podName(ex.id, stage.name());
    store.save(ex);
    logs.appendControl(ex.id, "INFO", "Stage " + stage.name() + " started: " + stage.steps().size()
        + " step(s), creating build pod " + s.podName);
    List<InitStagePayload.SecretEnv> secrets = stage.database().passwordFrom() == null ? List.of()
        : List.of(new InitStagePayload.SecretEnv(PASSWORD_ENV, stage.database().passwordFrom()));
    InitStagePayload payload = new InitStagePayload(ex.id, stage.name(), s.podName, image,
        stage.steps().size(), Map.of(), secrets,
        stage.timeoutSeconds() > 0 ? stage.timeoutSeconds() : DEFAULT_STAGE_TIMEOUT_SECONDS);
    queue.enqueue(new NewTask(ex.id, TaskTypes.INIT_STAGE, Json.tree(payload),
        stage.delegateSelectors(), null, INIT_TASK_TIMEOUT_SECONDS,
        reachability(stage.database().url())));
  }

  private void onTaskFinished(Task task) {
    ExecutionRecord ex = store.find(task.executionId()).orElse(null);
    if (ex == null || ex.finished()) {
      return;
    }
    String stageName = task.payload().path("stageName").asText();
    int si = stageIndex(ex, stageName);
    if (si < 0) {
      log.warn("Task {} names unknown stage {} of execution {}", task.id(), stageName, ex.id);
      return;
    }
    switch (task.type()) {
      case TaskTypes.INIT_STAGE -> onInitFinished(ex, si, task);
      case TaskTypes.EXECUTE_STEP -> onStepFinished(ex, si, task);
      case TaskTypes.CLEANUP_STAGE -> onCleanupFinished(ex, si, task);
      default -> log.warn("Task {} has unknown type {}", task.id(), task.type());
    }
  }

  private void onInitFinished(ExecutionRecord ex, int si, Task task) {
    ExecutionState.StageState s = ex.state.stages.get(si);
    if (!"RUNNING".equals(s.status) || s.liteEngineAddress != null) {
      return; // a late duplicate
    }
    s.instance = task.delegateInstance();
    InitStageOutput output = Task.SUCCEEDED.equals(task.status()) ? initOutput(task.result()) : null;
    String problem = null;
    if (!Task.SUCCEEDED.equals(task.status())) {
      problem = task.error() == null ? "the delegate gave no reason" : task.error();
    } else if (output == null || output.liteEngineAddress() == null
        || output.stepPorts().size() < s.steps.size()) {
      problem = "the delegate's init_stage output lacks the lite engine address or a port per step";
    }
    if (problem != null) {
      String error = "Stage " + s.name + ": cannot create the build pod: " + problem;
      failStage(ex, s, 0, error, error);
      return;
    }
    s.podName = output.podName() == null ? s.podName : output.podName();
    s.liteEngineAddress = output.liteEngineAddress();
    s.stepPorts = new java.util.ArrayList<>(output.stepPorts());
    logs.appendControl(ex.id, "INFO", "Stage " + s.name + ": build pod " + s.podName + " ready at "
        + s.liteEngineAddress);
    if (ex.state.aborted) {
      failStage(ex, s, 0, ABORTED, ABORTED);
      return;
    }
    startStep(ex, si, 0);
  }

  private void startStep(ExecutionRecord ex, int si, int stepIndex) {
    Stage stage = ex.pipeline.stages().get(si);
    Step step = stage.steps().get(stepIndex);
    ExecutionState.StageState s = ex.state.stages.get(si);
    s.steps.get(stepIndex).status = "RUNNING";
    store.save(ex);
    logs.appendControl(ex.id, "INFO", "Stage " + s.name + ", step " + step.name() + " (" + step.type()
        + ") started");
    String passwordEnv = stage.database().passwordFrom() != null ? PASSWORD_ENV : "";
    ExecuteStepPayload.StepSpec spec = new ExecuteStepPayload.StepSpec(step.type(), step.changelog(),
        step.searchPath(), stage.database().url(), stage.database().username(), passwordEnv,
        step.contexts(), step.labels(), step.tag(), step.count() == null ? 0 : step.count(),
        step.parameters(), "dbops-pre-" + ex.id, Boolean.TRUE.equals(step.nextOnly()),
        Boolean.TRUE.equals(step.failOnDrift()), step.policyFile());
    // The token is added when the task is assigned (LogService.withLogToken); it is never stored.
    ExecuteStepPayload.LogStreamRef stream = new ExecuteStepPayload.LogStreamRef(publicUrl.get(),
        LogService.stepStream(ex.id, s.name, step.name()), null);
    ExecuteStepPayload payload = new ExecuteStepPayload(ex.id, s.name, step.name(), s.podName,
        s.liteEngineAddress, s.stepPorts.get(stepIndex), spec, stream);
    int timeout = step.timeoutSeconds() != null ? step.timeoutSeconds() : DEFAULT_STEP_TIMEOUT_SECONDS;
    queue.enqueue(new NewTask(ex.id, TaskTypes.EXECUTE_STEP, Json.tree(payload),
        stage.delegateSelectors(), s.instance, timeout));
  }

  private void onStepFinished(ExecutionRecord ex, int si, Task task) {
    ExecutionState.StageState s = ex.state.stages.get(si);
    String stepName = task.payload().path("stepName").asText();
    int index = -1;
    for (int i = 0; i < s.steps.size(); i++) {
      if (s.steps.get(i).name.equals(stepName)) {
        index = i;
      }
    }
    if (index < 0 || !"RUNNING".equals(s.steps.get(index).status)) {
      return;
    }
    ExecutionState.StepState st = s.steps.get(index);
    StepOutput output = stepOutput(task.result());
    boolean ok = Task.SUCCEEDED.equals(task.status())
        && (output == null || output.status() == null || "SUCCEEDED".equals(output.status()));
    st.output = output;
    if (ok) {
      st.status = "SUCCEEDED";
      logs.appendControl(ex.id, "INFO", "Stage " + s.name + ", step " + st.name + " succeeded"
          + (output == null ? "" : " in " + output.durationMillis() + " ms, "
              + output.changesets().size() + " changeset(s)"));
      if (ex.state.aborted) {
        failStage(ex, s, index + 1, ABORTED, ABORTED);
      } else if (index + 1 < s.steps.size()) {
        startStep(ex, si, index + 1);
      } else {
        store.save(ex);
        enqueueCleanup(ex, s, ex.pipeline.stages().get(si));
      }
      return;
    }
    String stepError = output != null && output.error() != null ? output.error()
        : task.error() != null ? task.error() : "the step failed without a reason";
    st.status = "FAILED";
    st.error = stepError;
    logs.appendControl(ex.id, "ERROR", "Stage " + s.name + ", step " + st.name + " failed: "
        + stepError);
    failStage(ex, s, index + 1, "Step " + st.name + " failed: " + stepError,
        "Stage " + s.name + ", step " + st.name + ": " + stepError);
  }

  /** Marks the stage failed, skips its steps from {@code firstSkipped}, and cleans up the pod. */
  private void failStage(ExecutionRecord ex, ExecutionState.StageState s, int firstSkipped,
      String stageError, String executionError) {
    s.status = "FAILED";
    s.error = stageError;
    for (int i = firstSkipped; i < s.steps.size(); i++) {
      if ("PENDING".equals(s.steps.get(i).status)) {
        s.steps.get(i).status = "SKIPPED";
      }
    }
    if (ex.error == null) {
      ex.error = executionError;
    }
    store.save(ex);
    logs.appendControl(ex.id, "ERROR", executionError);
    int si = ex.state.stages.indexOf(s);
    if (s.instance == null) {
      finishStage(ex, si); // no pod was ever created on a known delegate
    } else {
      enqueueCleanup(ex, s, ex.pipeline.stages().get(si));
    }
  }

  private void enqueueCleanup(ExecutionRecord ex, ExecutionState.StageState s, Stage stage) {
    logs.appendControl(ex.id, "INFO", "Stage " + s.name + ": deleting build pod " + s.podName);
    queue.enqueue(new NewTask(ex.id, TaskTypes.CLEANUP_STAGE,
        Json.tree(new CleanupStagePayload(ex.id, s.name, s.podName)), stage.delegateSelectors(),
        s.instance, CLEANUP_TASK_TIMEOUT_SECONDS));
  }

  private void onCleanupFinished(ExecutionRecord ex, int si, Task task) {
    ExecutionState.StageState s = ex.state.stages.get(si);
    if (Task.SUCCEEDED.equals(task.status())) {
      logs.appendControl(ex.id, "INFO", "Stage " + s.name + ": build pod " + s.podName + " deleted");
    } else {
      logs.appendControl(ex.id, "WARN", "Stage " + s.name + ": cleanup of build pod " + s.podName
          + " failed: " + task.error() + "; the stage's status is not changed by a failed cleanup"
          + " (the pod's deadline removes it)");
    }
    finishStage(ex, si);
  }

  private void finishStage(ExecutionRecord ex, int si) {
    ExecutionState.StageState s = ex.state.stages.get(si);
    if ("RUNNING".equals(s.status)) {
      s.status = "SUCCEEDED";
    }
    logs.appendControl(ex.id, "FAILED".equals(s.status) ? "ERROR" : "INFO",
        "Stage " + s.name + " finished: " + s.status);
    if ("SUCCEEDED".equals(s.status) && si + 1 < ex.state.stages.size() && !ex.state.aborted) {
      startStage(ex, si + 1);
      return;
    }
    boolean failed = ex.state.aborted
        || ex.state.stages.stream().anyMatch(st -> "FAILED".equals(st.status));
    for (ExecutionState.StageState later : ex.state.stages) {
      if ("PENDING".equals(later.status)) {
        later.status = "SKIPPED";
        later.steps.forEach(step -> step.status = "SKIPPED");
      }
    }
    ex.status = failed ? "FAILED" : "SUCCEEDED";
    ex.finishedAt = clock.millis();
    store.save(ex);
    logs.appendControl(ex.id, failed ? "ERROR" : "INFO", "Execution " + ex.id + " finished: "
        + ex.status + (failed ? " (" + ex.error + ")" : ""));
    logs.executionFinished(ex.id);
    log.info("Execution {} finished: {}", ex.id, ex.status);
  }

  private static int stageIndex(ExecutionRecord ex, String name) {
    for (int i = 0; i < ex.state.stages.size(); i++) {
      if (ex.state.stages.get(i).name.equals(name)) {
        return i;
      }
    }
    return -1;
  }

  private static InitStageOutput initOutput(JsonNode result) {
    try {
      return result == null ? null : Json.convert(result, InitStageOutput.class);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static StepOutput stepOutput(JsonNode result) {
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

  @Override
  public void close() {
    if (closed.compareAndSet(false, true) && executor != null) {
      executor.shutdown();
      try {
        if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
          executor.shutdownNow();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        executor.shutdownNow();
      }
    }
  }
}
