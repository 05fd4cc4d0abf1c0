package io.dbops.controlplane.executions;

import io.dbops.controlplane.audit.Audit;
import io.dbops.controlplane.audit.AuditEvent;
import io.dbops.controlplane.logs.LogService;
import io.dbops.controlplane.queue.Task;
import io.dbops.controlplane.queue.TaskQueue;
import io.dbops.pipeline.Stage;
import io.dbops.protocol.StepOutput;
import io.dbops.protocol.TaskStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A stage's failure strategy ({@code onFailure}, docs/environments.md "Failure strategies"): after a
 * failed step, {@code rollback} rolls the target back to the pre-start tag each apply of the stage
 * recorded, in the same build pod, then fails the stage; {@code pause} keeps the pod and waits for
 * an operator's {@code resume} (retry, rollback or abort) until the pause times out. {@code fail}
 * (or none) leaves the failure to {@link ExecutionProgress}. Not thread-safe: called on the
 * orchestrator thread only.
 */
final class StageRecovery {
  static final String ROLLBACK = "rollback";
  static final String PAUSE = "pause";
  /** The payload field marking an execute_step task as the rollback of the named apply step. */
  static final String RECOVERY_OF = "recoveryOf";
  /** A paused stage gives its pod this much before the pod's own deadline. */
  static final Duration POD_MARGIN = Duration.ofMinutes(1);

  private final ExecutionStore store;
  private final TaskQueue queue;
  private final LogService logs;
  private final TaskPayloads payloads;
  private final Clock clock;
  private final Audit audit;
  private final Duration pauseTimeout;
  private final StageSteps steps;

  StageRecovery(ExecutionStore store, TaskQueue queue, LogService logs, TaskPayloads payloads, Clock clock,
      Audit audit, Duration pauseTimeout, StageSteps steps) {
    this.store = store;
    this.queue = queue;
    this.logs = logs;
    this.payloads = payloads;
    this.clock = clock;
    this.audit = audit;
    this.pauseTimeout = pauseTimeout;
    this.steps = steps;
  }

  /**
   * Step {@code index} of stage {@code si} failed (its state already says so): starts the stage's
   * strategy. Returns false when the stage simply fails ({@code onFailure: fail}, or an abort).
   */
  boolean onStepFailed(ExecutionRecord ex, int si, int index) {
    if (!takesOver(ex, si)) {
      return false;
    }
    String strategy = strategy(ex.pipeline.stages().get(si));
    ExecutionState.StageState s = ex.state.stages.get(si);
    ExecutionState.StepState failed = s.steps.get(index);
    FailureRecovery r = s.recovery != null && PAUSE.equals(strategy) ? s.recovery : new FailureRecovery();
    r.strategy = strategy;
    r.failedStep = failed.name;
    r.failedStepIndex = index;
    r.decision = null;
    r.decidedBy = null;
    s.recovery = r;
    if (ROLLBACK.equals(strategy)) {
      beginRollback(ex, si, "onFailure: rollback");
    } else {
      pause(ex, si, failed);
    }
    return true;
  }

  /** Whether the stage's failure strategy (rollback or pause) handles a failed step of stage {@code si}. */
  boolean takesOver(ExecutionRecord ex, int si) {
    String strategy = strategy(ex.pipeline.stages().get(si));
    return !ex.state.aborted && (ROLLBACK.equals(strategy) || PAUSE.equals(strategy));
  }

  private static String strategy(Stage stage) {
    return stage.onFailure() == null ? "fail" : stage.onFailure().toLowerCase(Locale.ROOT);
  }

  private void pause(ExecutionRecord ex, int si, ExecutionState.StepState failed) {
    ExecutionState.StageState s = ex.state.stages.get(si);
    FailureRecovery r = s.recovery;
    long now = clock.millis();
    long deadline = now + pauseTimeout.toMillis();
    Stage stage = ex.pipeline.stages().get(si);
    if (s.startedAt != null) {
      // The pod lives at most the stage timeout from its creation; end the pause before it does.
      long podEnd = s.startedAt + TaskPayloads.podLifetimeSeconds(stage) * 1000L - POD_MARGIN.toMillis();
      deadline = Math.max(now, Math.min(deadline, podEnd));
    }
    r.status = "PAUSED";
    r.pausedAt = now;
    r.pauseDeadline = deadline;
    s.status = "PAUSED";
    ex.status = "PAUSED";
    ex.error = "Paused: stage " + s.name + ", step " + failed.name + " failed: " + failed.error;
    store.save(ex);
    logs.appendControl(ex.id, "WARN", "Stage " + s.name + " paused after step " + failed.name + " failed"
        + " (onFailure: pause); build pod " + s.podName + " is kept. Decide with `dbops resume " + ex.id
        + " --retry|--rollback|--abort` before " + Instant.ofEpochMilli(deadline)
        + "; then the execution is aborted.");
    audit.record(AuditEvent.system("execution.pause", ex.id, "paused",
        Map.of("stage", s.name, "step", failed.name, "deadline", Instant.ofEpochMilli(deadline).toString())));
  }

  /**
   * An operator's decision on a paused execution: {@code retry}, {@code rollback} or {@code abort}.
   * Ignored (with a log line) when the execution is no longer paused.
   */
  void resume(ExecutionRecord ex, String action, String by) {
    int si = pausedStage(ex);
    if (si < 0) {
      logs.appendControl(ex.id, "WARN", "Resume (" + action + ") by " + by + " ignored: execution " + ex.id
          + " is " + ex.status + ", not paused");
      return;
    }
    decide(ex, si, action, by);
  }

  /** Aborts every paused stage whose pause timed out; returns how many. */
  int timeOut(ExecutionRecord ex) {
    int si = pausedStage(ex);
    FailureRecovery r = si < 0 ? null : ex.state.stages.get(si).recovery;
    if (r == null || r.pauseDeadline == null || r.pauseDeadline > clock.millis()) {
      return 0;
    }
    decide(ex, si, "timeout", "system");
    return 1;
  }

  private void decide(ExecutionRecord ex, int si, String action, String by) {
    ExecutionState.StageState s = ex.state.stages.get(si);
    FailureRecovery r = s.recovery;
    r.decision = action;
    r.decidedBy = by;
    s.status = "RUNNING";
    ex.status = "RUNNING";
    ex.error = null;
    audit.record(AuditEvent.system("execution.resume", ex.id, action,
        Map.of("stage", s.name, "step", r.failedStep, "by", by)));
    switch (action) {
      case "retry" -> {
        r.status = "RETRIED";
        r.retries++;
        ExecutionState.StepState st = s.steps.get(r.failedStepIndex);
        st.error = null;
        st.output = null;
        logs.appendControl(ex.id, "INFO", "Stage " + s.name + " resumed by " + by + ": retrying step "
            + r.failedStep + " (retry " + r.retries + ") in build pod " + s.podName);
        steps.startStep(ex, si, r.failedStepIndex);
      }
      case "rollback" -> {
        logs.appendControl(ex.id, "INFO", "Stage " + s.name + " resumed by " + by + ": rolling back");
        beginRollback(ex, si, "resumed with --rollback by " + by);
      }
      default -> {
        r.status = "ABORTED";
        String why = "timeout".equals(action)
            ? "no operator resumed it within the pause timeout (" + pauseTimeout.toSeconds() + " s or the pod's"
                + " deadline); aborted"
            : "aborted by " + by + " while paused";
        String failure = stepFailure(s, r);
        logs.appendControl(ex.id, "ERROR", "Stage " + s.name + ": " + why);
        steps.failStage(ex, s, r.failedStepIndex + 1, failure + "; " + why,
            "Stage " + s.name + ", " + failure + "; " + why);
      }
    }
  }

  /** Rolls back, newest first, every apply of the stage that recorded a pre-start tag. */
  private void beginRollback(ExecutionRecord ex, int si, String why) {
    ExecutionState.StageState s = ex.state.stages.get(si);
    FailureRecovery r = s.recovery;
    r.pendingRollbacks = new ArrayList<>();
    for (int i = s.steps.size() - 1; i >= 0; i--) {
      if (!preStartTag(s.steps.get(i)).isEmpty()) {
        r.pendingRollbacks.add(i);
      }
    }
    if (r.pendingRollbacks.isEmpty()) {
      r.status = "NOTHING_TO_UNDO";
      String failure = stepFailure(s, r);
      logs.appendControl(ex.id, "INFO", "Stage " + s.name + " (" + why + "): nothing to roll back, no apply of"
          + " the stage recorded a pre-start tag (none changed the database)");
      steps.failStage(ex, s, r.failedStepIndex + 1, failure + "; nothing to roll back",
          "Stage " + s.name + ", " + failure + "; nothing was applied, nothing to roll back");
      return;
    }
    r.status = "ROLLING_BACK";
    startNextRollback(ex, si);
  }

  private void startNextRollback(ExecutionRecord ex, int si) {
    ExecutionState.StageState s = ex.state.stages.get(si);
    FailureRecovery r = s.recovery;
    int applyIndex = r.pendingRollbacks.remove(0);
    FailureRecovery.Rollback rb = new FailureRecovery.Rollback();
    rb.applyStep = s.steps.get(applyIndex).name;
    rb.tag = preStartTag(s.steps.get(applyIndex));
    rb.status = "RUNNING";
    r.rollbacks.add(rb);
    store.save(ex);
    logs.appendControl(ex.id, "INFO", "Stage " + s.name + ": rolling back step " + rb.applyStep
        + " to its pre-start tag " + rb.tag + " in build pod " + s.podName);
    queue.enqueue(payloads.rollbackStep(ex.id, ex.pipeline.stages().get(si), applyIndex, s, rb.tag));
  }

  /** Whether {@code task} is a rollback this class started. */
  static boolean isRollbackTask(Task task) {
    return task.payload().hasNonNull(RECOVERY_OF);
  }

  /** A rollback task finished: the next one, or the end of the stage with what was undone. */
  void onRollbackFinished(ExecutionRecord ex, int si, Task task) {
    ExecutionState.StageState s = ex.state.stages.get(si);
    FailureRecovery r = s.recovery;
    String applyStep = task.payload().path(RECOVERY_OF).asText();
    FailureRecovery.Rollback rb = r == null || !"ROLLING_BACK".equals(r.status) ? null : r.rollbacks.stream()
        .filter(x -> "RUNNING".equals(x.status) && x.applyStep.equals(applyStep)).findFirst().orElse(null);
    if (rb == null) {
      return; // a late duplicate
    }
    StepOutput output = TaskPayloads.stepOutput(task.result());
    boolean ok = task.status() == TaskStatus.SUCCEEDED
        && (output == null || output.status() == null || "SUCCEEDED".equals(output.status()));
    rb.output = StoredOutputs.withoutHistory(output, false); // the rows live in the migration state
    rb.status = ok ? "SUCCEEDED" : "FAILED";
    rb.error = ok ? null : output != null && output.error() != null ? output.error()
        : task.error() != null ? task.error() : "the rollback failed without a reason";
    String rolledBack = output == null ? "0" : output.outputs().getOrDefault("rolledBack", "0");
    logs.appendControl(ex.id, ok ? "INFO" : "ERROR", "Stage " + s.name + ": rollback of step " + rb.applyStep
        + (ok ? " to " + rb.tag + " succeeded: " + rolledBack + " changeset(s) rolled back"
            : " to " + rb.tag + " failed: " + rb.error));
    if (ok && !r.pendingRollbacks.isEmpty() && !ex.state.aborted) {
      startNextRollback(ex, si);
      return;
    }
    boolean all = r.rollbacks.stream().allMatch(x -> "SUCCEEDED".equals(x.status)) && r.pendingRollbacks.isEmpty();
    r.status = all ? "ROLLED_BACK" : "ROLLBACK_FAILED";
    r.notUndone = notUndone(s);
    String undone = summary(r);
    if (r.notUndone != null) {
      logs.appendControl(ex.id, "WARN", "Stage " + s.name + ": not undone by the rollback: " + r.notUndone);
    }
    String failure = stepFailure(s, r);
    steps.failStage(ex, s, r.failedStepIndex + 1, failure + "; " + undone,
        "Stage " + s.name + ", " + failure + "; " + undone);
  }

  /** "rolled back to dbops-pre-… (3 changeset(s))", or what failed. */
  static String summary(FailureRecovery r) {
    List<String> parts = new ArrayList<>();
    for (FailureRecovery.Rollback rb : r.rollbacks) {
      String n = rb.output == null ? "0" : rb.output.outputs().getOrDefault("rolledBack", "0");
      parts.add("SUCCEEDED".equals(rb.status)
          ? "rolled back step " + rb.applyStep + " to " + rb.tag + " (" + n + " changeset(s))"
          : "rollback of step " + rb.applyStep + " to " + rb.tag + " FAILED after " + n + " changeset(s): " + rb.error);
    }
    if (!r.pendingRollbacks.isEmpty()) {
      parts.add(r.pendingRollbacks.size() + " earlier apply step(s) not rolled back");
    }
    return String.join("; ", parts);
  }

  /**
   * What a rollback to the tag cannot undo: the statements a changeset ran before it failed on a
   * database without transactional DDL (the apply's error lists them after "Half-applied").
   */
  private static String notUndone(ExecutionState.StageState s) {
    List<String> found = new ArrayList<>();
    for (ExecutionState.StepState st : s.steps) {
      String error = st.error == null ? "" : st.error;
      int at = error.indexOf("| Half-applied:");
      if (at >= 0) {
        found.add("step " + st.name + ": the failed changeset was not recorded, so the rollback leaves what it ran"
            + " before failing;" + error.substring(at + "| Half-applied:".length()));
      }
    }
    return found.isEmpty() ? null : String.join(" ", found);
  }

  private static String stepFailure(ExecutionState.StageState s, FailureRecovery r) {
    ExecutionState.StepState st = s.steps.get(r.failedStepIndex);
    return "step " + st.name + " failed: " + st.error;
  }

  private static String preStartTag(ExecutionState.StepState st) {
    if (!"apply".equals(st.type) || st.output == null) {
      return "";
    }
    String tag = st.output.outputs().get("preStartTag");
    return tag == null ? "" : tag.trim();
  }

  /** The index of the stage waiting for an operator, or -1. */
  static int pausedStage(ExecutionRecord ex) {
    if (!"PAUSED".equals(ex.status)) {
      return -1;
    }
    for (int i = 0; i < ex.state.stages.size(); i++) {
      FailureRecovery r = ex.state.stages.get(i).recovery;
      if (r != null && "PAUSED".equals(r.status)) {
        return i;
      }
    }
    return -1;
  }
}
