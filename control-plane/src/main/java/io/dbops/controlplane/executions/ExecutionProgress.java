package io.dbops.controlplane.executions;

import io.dbops.api.ExecutionView;
import io.dbops.controlplane.audit.Audit;
import io.dbops.controlplane.audit.AuditEvent;
import io.dbops.controlplane.logs.LogService;
import io.dbops.controlplane.queue.Task;
import io.dbops.controlplane.queue.TaskQueue;
import io.dbops.pipeline.Stage;
import io.dbops.pipeline.Step;
import io.dbops.protocol.InitStageOutput;
import io.dbops.protocol.StepOutput;
import io.dbops.protocol.TaskStatus;
import io.dbops.protocol.TaskTypes;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state machine of executions: stages in order, each as init_stage, then execute_step per
 * step, then cleanup_stage, advanced by task results; aborts; the end of an execution. Saves the
 * state after every change. Not thread-safe: the {@link Orchestrator} calls it from its one
 * thread, {@code cp-orchestrator-1}.
 */
final class ExecutionProgress implements ApprovalSteps.Continuation, StageSteps {
  private static final Logger log = LoggerFactory.getLogger(ExecutionProgress.class);
  static final String ABORTED = "aborted by user";

  private final ExecutionStore store;
  private final TaskQueue queue;
  private final LogService logs;
  private final TaskPayloads payloads;
  private final Clock clock;
  private final Audit audit;
  private final ApprovalSteps approvals;
  private final StageRecovery recovery;
  private final ExecutionListeners listeners = new ExecutionListeners();

  ExecutionProgress(ExecutionStore store, TaskQueue queue, LogService logs, TaskPayloads payloads,
      Clock clock, Audit audit, java.time.Duration pauseTimeout) {
    this.audit = audit;
    this.recovery = new StageRecovery(store, queue, logs, payloads, clock, audit, pauseTimeout, this);
    this.store = store;
    this.queue = queue;
    this.logs = logs;
    this.payloads = payloads;
    this.clock = clock;
    this.approvals = new ApprovalSteps(store, logs, clock, audit);
  }

  ApprovalSteps approvals() {
    return approvals;
  }

  // Set once before the orchestrator starts; null: rollout stages fail (no controller).
  private volatile RolloutHook rollouts;

  /** See {@link RolloutHook}. */
  void rollouts(RolloutHook hook) {
    this.rollouts = hook;
    approvals.rollouts(hook, this);
  }

  /** See {@link ExecutionListener}. */
  void addListener(ExecutionListener listener) {
    listeners.add(listener);
  }

  /** A task of an aborted or finished execution that was queued again is not run again. */
  void onTaskRequeued(Task task) {
    ExecutionRecord ex = store.find(task.executionId()).orElse(null);
    if (ex != null && (ex.finished() || ex.state.aborted)) {
      queue.failQueued(task.id(), ABORTED);
    }
  }

  /** Marks an execution aborted; running tasks get abort, queued ones are cancelled. */
  void abort(String id) {
    ExecutionRecord ex = store.find(id).orElse(null);
    if (ex == null || ex.finished() || ex.state.aborted) {
      return;
    }
    ex.state.aborted = true;
    if ("PAUSED".equals(ex.status)) {
      // Nothing runs while paused: the abort is the operator's decision, and the pod is deleted.
      recovery.resume(ex, "abort", "an abort request");
      return;
    }
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
      audited(ex);
      finishedEvent(ex);
      return;
    }
    store.save(ex);
    logs.appendControl(id, "ERROR", "Execution " + id + " " + ABORTED
        + ": stopping running tasks; build pods are still deleted");
    log.info("Execution {} aborted by user", id);
    queue.requestAbort(id, ABORTED);
    for (Task task : queue.unfinished(id)) {
      if (task.status() == TaskStatus.QUEUED && !TaskTypes.CLEANUP_STAGE.equals(task.type())) {
        queue.failQueued(task.id(), ABORTED);
      }
    }
    approvals.abort(ex, this);
    if (rollouts != null && ex.state.stages.stream().anyMatch(st -> "RUNNING".equals(st.status))
        && ex.pipeline.stages().stream().anyMatch(Stage::hasTargetGroup)) {
      rollouts.aborted(id); // the controller aborts the targets and then ends the stage
    }
  }

  /**
   * Ends execution {@code id}'s rollout stage {@code stageName} (the controller saw every target
   * finish): SUCCEEDED, or FAILED with {@code error}; the execution goes on or ends.
   */
  void finishRolloutStage(String id, String stageName, boolean succeeded, String error) {
    ExecutionRecord ex = store.find(id).orElse(null);
    int si = ex == null || ex.finished() ? -1 : stageIndex(ex, stageName);
    if (si < 0 || !"RUNNING".equals(ex.state.stages.get(si).status)) {
      return; // unknown, finished, or a duplicate from another replica
    }
    ExecutionState.StageState s = ex.state.stages.get(si);
    if (succeeded && !ex.state.aborted) {
      s.steps.forEach(step -> step.status = "SUCCEEDED");
      store.save(ex);
      finishStage(ex, si);
    } else {
      String why = ex.state.aborted ? ABORTED : error;
      failStage(ex, s, 0, why, "Stage " + s.name + ": " + why);
    }
  }

  /** Approves the waiting approval of rollout target {@code childId} by the rollout's decision. */
  void coverApproval(String childId, RolloutHook.Coverage coverage) {
    ExecutionRecord ex = store.find(childId).orElse(null);
    if (ex != null && !ex.finished()) {
      approvals.coverWaiting(ex, coverage);
    }
  }

  /** See {@link ApprovalSteps#decide}; 404 for an unknown execution. */
  io.dbops.api.ApprovalView decide(String id, io.dbops.controlplane.approvals.Approver who, boolean approve,
      String comment) {
    ExecutionRecord ex = store.find(id).orElseThrow(() -> io.dbops.controlplane.Refusal.notFound(
        "No execution '" + id + "'; list them with GET /api/v1/executions"));
    return approvals.decide(ex, who, approve, comment, this);
  }

  /** Rejects the execution's waiting approval when its deadline passed. */
  void expireApproval(String id) {
    store.find(id).ifPresent(ex -> approvals.expire(ex, this));
  }

  /** Starts a QUEUED execution with its first stage; others are left alone. */
  void startExecution(String id) {
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
    s.startedAt = clock.millis();
    if (stage.hasTargetGroup()) {
      // No build pod of its own: one child execution per target (docs/fleet-rollouts.md).
      store.save(ex);
      logs.appendControl(ex.id, "INFO", "Stage " + stage.name() + " started: a rollout to "
          + stage.groupTargets().size() + " target(s) of group " + stage.targetGroup());
      if (rollouts == null) {
        failStage(ex, s, 0, "no rollout controller runs", "Stage " + s.name + ": no rollout controller runs");
      } else {
        rollouts.stageStarted(ex.id, stage);
      }
      return;
    }
    s.podName = TaskPayloads.podName(ex.id, stage.name());
    store.save(ex);
    logs.appendControl(ex.id, "INFO", "Stage " + stage.name() + " started: " + stage.steps().size()
        + " step(s), creating build pod " + s.podName);
    queue.enqueue(payloads.initStage(ex.id, stage, s.podName, podReuseKey(ex)));
  }

  /** The reuse key of a rollout target's build pod, or null (see {@link RolloutHook#podReuseKey}). */
  private String podReuseKey(ExecutionRecord ex) {
    RolloutHook hook = rollouts;
    if (hook == null || ex.origin == null || ex.origin.parentId() == null) {
      return null;
    }
    return hook.podReuseKey(ex.origin.parentId(), ex.origin.parentStage());
  }

  /** No connected delegate can take a queued task: the stage says so (see {@link NoDelegate}). */
  void onTaskUnmatched(Task task, List<String> reasons, long failsAt) {
    ExecutionRecord ex = store.find(task.executionId()).orElse(null);
    int si = ex == null || ex.finished() ? -1 : stageIndex(ex, task.stageName());
    if (si >= 0 && NoDelegate.announce(ex, ex.state.stages.get(si), task, reasons, failsAt,
        clock.millis(), logs)) {
      store.save(ex);
    }
  }

  /** Advances the task's execution by its result. */
  void onTaskFinished(Task task) {
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
      case TaskTypes.EXECUTE_STEP -> {
        if (StageRecovery.isRollbackTask(task)) {
          recovery.onRollbackFinished(ex, si, task);
          stepEvent(ex, si, task.payload().path("stepName").asText(), "rollback", task);
        } else {
          onStepFinished(ex, si, task);
        }
      }
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
    s.delegateName = queue.delegateName(task.id()).orElse(null);
    InitStageOutput output =
        task.status() == TaskStatus.SUCCEEDED ? TaskPayloads.initOutput(task.result()) : null;
    String problem = null;
    if (task.status() != TaskStatus.SUCCEEDED) {
      problem = task.error() == null ? "the delegate gave no reason" : task.error();
    } else if (output == null || output.liteEngineAddress() == null
        || output.stepPorts().size() < TaskPayloads.containerCount(ex.pipeline.stages().get(si))) {
      problem = "the delegate's init_stage output lacks the lite engine address or a port per step";
    }
    if (problem != null) {
      String error = "Stage " + s.name + ": cannot create the build pod: " + problem;
      failStage(ex, s, 0, error, error);
      return;
    }
    s.podName = output.podName() == null ? s.podName : output.podName();
    s.liteEngineAddress = output.liteEngineAddress();
    s.waiting = null; // a delegate took the stage after all
    s.stepPorts = new java.util.ArrayList<>(output.stepPorts());
    logs.appendControl(ex.id, "INFO", "Stage " + s.name + ": build pod " + s.podName + " ready at "
        + s.liteEngineAddress);
    if (ex.state.aborted) {
      failStage(ex, s, 0, ABORTED, ABORTED);
      return;
    }
    startStep(ex, si, 0);
  }

  /**
   * An operator's decision on a paused execution ({@code retry}, {@code rollback}, {@code abort});
   * ignored when it is no longer paused.
   */
  void resume(String id, String action, String by) {
    ExecutionRecord ex = store.find(id).orElse(null);
    if (ex != null && !ex.finished()) {
      recovery.resume(ex, action, by);
    }
  }

  /** Aborts the paused executions whose pause timed out (by the injected clock). */
  void checkPauseTimeouts() {
    for (String id : store.paused()) {
      ExecutionRecord ex = store.find(id).orElse(null);
      if (ex != null && recovery.timeOut(ex) > 0) {
        log.info("Execution {}: pause timed out; aborted", id);
      }
    }
  }

  @Override
  public void startStep(ExecutionRecord ex, int si, int stepIndex) {
    Stage stage = ex.pipeline.stages().get(si);
    Step step = stage.steps().get(stepIndex);
    ExecutionState.StageState s = ex.state.stages.get(si);
    if ("approval".equals(step.type()) && approvals.skipsDriftOverride(ex, si, stepIndex)) {
      stepSucceeded(ex, si, stepIndex); // the drift gate found no drift
      return;
    }
    if ("approval".equals(step.type())) {
      approvals.enter(ex, si, stepIndex);
      if (ApprovalSteps.WAITING.equals(ex.status)) {
        ExecutionView view = ExecutionStore.view(ex);
        listeners.fire("approvalWaiting", l -> l.approvalWaiting(view));
      }
      return;
    }
    s.steps.get(stepIndex).status = "RUNNING";
    s.steps.get(stepIndex).startedAt = clock.millis();
    store.save(ex);
    logs.appendControl(ex.id, "INFO", "Stage " + s.name + ", step " + step.name() + " (" + step.type()
        + ") started");
    queue.enqueue(payloads.executeStep(ex.id, stage, stepIndex, s));
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
    StepOutput output = TaskPayloads.stepOutput(task.result());
    st.finishedAt = clock.millis();
    boolean ok = task.status() == TaskStatus.SUCCEEDED
        && (output == null || output.status() == null || "SUCCEEDED".equals(output.status()));
    st.output = StoredOutputs.withoutHistory(output, ex.origin != null && "refresh".equals(ex.origin.source()));
    stepEvent(ex, si, st.name, ex.pipeline.stages().get(si).steps().get(index).type(), task);
    if (ok) {
      st.status = "SUCCEEDED";
      logs.appendControl(ex.id, "INFO", "Stage " + s.name + ", step " + st.name + " succeeded"
          + (output == null ? "" : " in " + output.durationMillis() + " ms, "
              + output.changesets().size() + " changeset(s)"));
      stepSucceeded(ex, si, index);
      return;
    }
    String stepError = output != null && output.error() != null ? output.error()
        : task.error() != null ? task.error() : "the step failed without a reason";
    st.status = "FAILED";
    st.error = stepError;
    // failStage logs the execution error ("Stage s, step a: <error>"): the control plane's one report
    // of it; when the stage's failure strategy takes over instead, say what failed first.
    if (recovery.takesOver(ex, si)) {
      logs.appendControl(ex.id, "ERROR", "Stage " + s.name + ", step " + st.name + " failed: "
          + stepError);
      recovery.onStepFailed(ex, si, index);
      if ("PAUSED".equals(ex.status)) {
        ExecutionView view = ExecutionStore.view(ex);
        listeners.fire("paused", l -> l.paused(view));
      }
      return;
    }
    failStage(ex, s, index + 1, "Step " + st.name + " failed: " + stepError,
        "Stage " + s.name + ", step " + st.name + ": " + stepError);
  }

  /** After step {@code index} of stage {@code si} succeeded: the next step, or the stage's cleanup. */
  @Override
  public void stepSucceeded(ExecutionRecord ex, int si, int index) {
    ExecutionState.StageState s = ex.state.stages.get(si);
    s.steps.get(index).status = "SUCCEEDED";
    if (ex.state.aborted) {
      failStage(ex, s, index + 1, ABORTED, ABORTED);
    } else if (index + 1 < s.steps.size()) {
      startStep(ex, si, index + 1);
    } else {
      store.save(ex);
      enqueueCleanup(ex, s, ex.pipeline.stages().get(si));
    }
  }

  /** Marks the stage failed, skips its steps from {@code firstSkipped}, and cleans up the pod. */
  @Override
  public void failStage(ExecutionRecord ex, ExecutionState.StageState s, int firstSkipped,
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
    queue.enqueue(payloads.cleanupStage(ex.id, s, stage));
  }

  private void onCleanupFinished(ExecutionRecord ex, int si, Task task) {
    ExecutionState.StageState s = ex.state.stages.get(si);
    if (task.status() == TaskStatus.SUCCEEDED) {
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
    s.finishedAt = clock.millis();
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
    // Not the error again: failStage (or the abort) logged it when it happened.
    logs.appendControl(ex.id, failed ? "ERROR" : "INFO", "Execution " + ex.id + " finished: " + ex.status);
    logs.executionFinished(ex.id);
    audited(ex);
    log.info("Execution {} finished: {}", ex.id, ex.status);
    finishedEvent(ex);
  }

  /**
   * The outcome of a whole run, in the audit log. Not the error text: it quotes step output, which
   * the execution view shows to viewers but the audit log does not need.
   */
  private void audited(ExecutionRecord ex) {
    audit.record(AuditEvent.system("execution.finish", ex.id, ex.status.toLowerCase(Locale.ROOT),
        Map.of("pipeline", ex.pipeline.name(), "aborted", Boolean.toString(ex.state.aborted))));
  }

  private void finishedEvent(ExecutionRecord ex) {
    ExecutionView view = ExecutionStore.view(ex);
    listeners.fire("finished", l -> l.finished(view));
  }

  private void stepEvent(ExecutionRecord ex, int si, String stepName, String stepType, Task task) {
    StepOutput output = TaskPayloads.stepOutput(task.result());
    boolean ok = task.status() == TaskStatus.SUCCEEDED
        && (output == null || output.status() == null || "SUCCEEDED".equals(output.status()));
    StepFinished event = new StepFinished(ex.id, ex.origin, ex.pipeline.stages().get(si), stepName,
        stepType, ok, output);
    listeners.fire("stepFinished", l -> l.stepFinished(event));
  }

  private static int stageIndex(ExecutionRecord ex, String name) {
    for (int i = 0; i < ex.state.stages.size(); i++) {
      if (ex.state.stages.get(i).name.equals(name)) {
        return i;
      }
    }
    return -1;
  }
}
