package io.dbops.controlplane.executions;

import io.dbops.support.LogKeys;
import io.dbops.controlplane.audit.Audit;
import io.dbops.controlplane.Refusal;
import io.dbops.controlplane.logs.LogService;
import io.dbops.controlplane.queue.Task;
import io.dbops.controlplane.queue.TaskListener;
import io.dbops.controlplane.queue.TaskQueue;
import io.dbops.controlplane.store.Ids;
import io.dbops.pipeline.Pipeline;
import io.dbops.pipeline.Stage;
import io.dbops.pipeline.Step;
import io.dbops.protocol.TaskTypes;
import io.dbops.support.NamedThreadFactory;
import io.dbops.api.ApprovalView;
import io.dbops.controlplane.approvals.Approver;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.List;
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
 * continue from the stored state. This class accepts executions and events and queues them on
 * that thread; {@link ExecutionProgress} makes the decisions and {@link TaskPayloads} builds the
 * tasks. {@link #close} stops the thread; idempotent.
 */
public final class Orchestrator implements TaskListener, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Orchestrator.class);

  private final ExecutionStore store;
  private final ExecutionProgress progress;
  private final Clock clock;
  private final Ids ids;
  private final AtomicBoolean closed = new AtomicBoolean();
  /** How often paused executions are checked for a timed-out pause. */
  static final long PAUSE_CHECK_MILLIS = 5_000;

  private volatile ThreadPoolExecutor executor;
  private volatile ScheduledExecutorService sweeper;
  /** How often waiting approvals are checked for their timeout. */
  static final long APPROVAL_SWEEP_MILLIS = 1000;
  private volatile ScheduledExecutorService pauseTimer;

  Orchestrator(ExecutionStore store, TaskQueue queue, LogService logs,
      Supplier<String> publicUrl, String image, Clock clock, Ids ids, Audit audit,
      java.time.Duration pauseTimeout) {
    this.store = store;
    this.progress = new ExecutionProgress(store, queue, logs, new TaskPayloads(publicUrl, image),
        clock, audit, pauseTimeout);
    this.clock = clock;
    this.ids = ids;
  }

  /** Adds a listener; register listeners before {@link #start}. See {@link ExecutionListener}. */
  public void addListener(ExecutionListener listener) {
    progress.addListener(listener);
  }

  /** The rollout controller; set before {@link #start}. See {@link RolloutHook}. */
  void rollouts(RolloutHook hook) {
    progress.rollouts(hook);
  }

  /** Runs {@code work} on the orchestrator thread; false when it is stopping or overloaded. */
  boolean execute(String executionId, Runnable work) {
    return submitWork(executionId, work);
  }

  /** See {@link ExecutionProgress#finishRolloutStage}; on the orchestrator thread. */
  void finishRolloutStage(String id, String stageName, boolean succeeded, String error) {
    submitWork(id, () -> progress.finishRolloutStage(id, stageName, succeeded, error));
  }

  /** See {@link ExecutionProgress#coverApproval}; on the orchestrator thread. */
  void coverApproval(String childId, RolloutHook.Coverage coverage) {
    submitWork(childId, () -> progress.coverApproval(childId, coverage));
  }

  /** The approval steps, for views on the HTTP threads (they only read). */
  ApprovalSteps approvals() {
    return progress.approvals();
  }

  public void start() {
    executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(10_000), new NamedThreadFactory("cp-orchestrator", true),
        new ThreadPoolExecutor.AbortPolicy());
    // Executions accepted but not started before a restart start now; running ones continue as
    // their task results arrive.
    for (String id : store.unfinished()) {
      submitWork(id, () -> progress.startExecution(id));
    }
    sweeper = Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory("cp-approval-sweeper", true));
    sweeper.scheduleWithFixedDelay(this::sweepApprovals, APPROVAL_SWEEP_MILLIS, APPROVAL_SWEEP_MILLIS,
        TimeUnit.MILLISECONDS);
    // Paused executions wait for an operator; this ends those whose pause timed out (also after a restart).
    pauseTimer = Executors.newSingleThreadScheduledExecutor(
        new NamedThreadFactory("cp-pause-timer", true));
    pauseTimer.scheduleWithFixedDelay(() -> submitWork("", progress::checkPauseTimeouts),
        PAUSE_CHECK_MILLIS, PAUSE_CHECK_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** Queues a timeout check for every execution waiting for an approval (the sweeper's tick). */
  void sweepApprovals() {
    try {
      for (ExecutionRecord ex : store.waitingApproval()) {
        submitWork(ex.id, () -> progress.expireApproval(ex.id));
      }
    } catch (RuntimeException e) {
      log.warn("Approval sweep failed; the next one retries", e);
    }
  }

  /**
   * Records {@code who}'s decision on the approval execution {@code id} waits for, on the
   * orchestrator thread; the future fails with an {@link Refusal} when it is refused.
   */
  public CompletableFuture<ApprovalView> decide(String id, Approver who, boolean approve, String comment) {
    CompletableFuture<ApprovalView> result = new CompletableFuture<>();
    if (!submitWork(id, () -> {
      try {
        result.complete(progress.decide(id, who, approve, comment));
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    })) {
      result.completeExceptionally(new Refusal(Refusal.Kind.UNAVAILABLE, "unavailable",
          "The control plane is stopping or overloaded; decide again in a moment", List.of()));
    }
    return result;
  }

  /** Stores a validated pipeline as a new execution and starts it. Returns its id. */
  public String submit(Pipeline pipeline) {
    return submit(pipeline, null);
  }

  /**
   * Stores a validated pipeline as a new execution started by {@code origin} (null: unknown) and
   * starts it. Returns its id.
   */
  public String submit(Pipeline pipeline, ExecutionOrigin origin) {
    String id = ids.next("ex-", 12);
    ExecutionState state = new ExecutionState();
    state.startedBy = origin == null ? null : origin.startedBy();
    for (Stage stage : pipeline.stages()) {
      ExecutionState.StageState s = new ExecutionState.StageState();
      s.name = stage.name();
      s.target = TargetLabel.of(stage);
      for (Step step : stage.steps()) {
        ExecutionState.StepState st = new ExecutionState.StepState();
        st.name = step.name();
        st.type = step.type();
        s.steps.add(st);
      }
      state.stages.add(s);
    }
    store.insert(new ExecutionRecord(id, pipeline, "QUEUED", null, state, clock.millis(), null, null,
        origin));
    log.info("Execution {} of pipeline {} accepted", id, pipeline.name());
    submitWork(id, () -> progress.startExecution(id));
    return id;
  }

  @Override
  public void taskFinished(Task task) {
    if (task.executionId() != null) {
      submitWork(task.executionId(), () -> progress.onTaskFinished(task));
    }
  }

  @Override
  public void taskUnmatched(Task task, List<String> reasons, long failsAt) {
    if (task.executionId() != null) {
      submitWork(task.executionId(), () -> progress.onTaskUnmatched(task, reasons, failsAt));
    }
  }

  @Override
  public void taskRequeued(Task task, String previousInstance) {
    if (task.executionId() != null && !TaskTypes.CLEANUP_STAGE.equals(task.type())) {
      submitWork(task.executionId(), () -> progress.onTaskRequeued(task));
    }
  }

  /**
   * Aborts an execution: running tasks get {@code abort}, queued ones are cancelled, no new work
   * starts, build pods are still cleaned up, and the execution ends FAILED "aborted by user".
   *
   * @throws Refusal 404 for an unknown execution, 409 when it already finished
   */
  public void abort(String id) {
    ExecutionRecord ex = store.find(id).orElseThrow(() -> Refusal.notFound(
        "No execution '" + id + "'; list them with GET /api/v1/executions"));
    if (ex.finished()) {
      throw new Refusal(Refusal.Kind.CONFLICT, "conflict", "Execution " + id + " already finished ("
          + ex.status + "); nothing to abort", List.of());
    }
    submitWork(id, () -> progress.abort(id));
  }

  /**
   * An operator's decision on a PAUSED execution: {@code retry} the failed step, {@code rollback}
   * to the pre-start tags, or {@code abort}. Decided on the orchestrator thread.
   *
   * @throws Refusal 404 for an unknown execution, 409 when it is not paused
   */
  public void resume(String id, String action, String by) {
    ExecutionRecord ex = store.find(id).orElseThrow(() -> Refusal.notFound(
        "No execution '" + id + "'; list them with GET /api/v1/executions"));
    if (!"PAUSED".equals(ex.status)) {
      throw new Refusal(Refusal.Kind.CONFLICT, "conflict", "Execution " + id + " is " + ex.status + ", not PAUSED; only"
          + " an execution paused by a stage with onFailure: pause can be resumed", List.of());
    }
    submitWork(id, () -> progress.resume(id, action, by));
  }

  private boolean submitWork(String executionId, Runnable work) {
    ThreadPoolExecutor ex = executor;
    if (ex == null || closed.get()) {
      return false;
    }
    try {
      ex.execute(() -> {
        try (var ignored = MDC.putCloseable(LogKeys.EXECUTION_ID, executionId)) {
          work.run();
        } catch (RuntimeException e) {
          log.error("Orchestrating execution {} failed; it continues with the next event",
              executionId, e);
        }
      });
      return true;
    } catch (RejectedExecutionException e) {
      log.error("Orchestrator queue full ({} events); dropped an event of execution {}",
          ex.getQueue().size(), executionId);
      return false;
    }
  }

  // Kept so OrchestratorTest keeps testing through this class; the logic is in TaskPayloads.
  /** See {@link TaskPayloads#reachability}. */
  static String reachability(String jdbcUrl) {
    return TaskPayloads.reachability(jdbcUrl);
  }

  /** See {@link TaskPayloads#podName}. */
  static String podName(String executionId, String stage) {
    return TaskPayloads.podName(executionId, stage);
  }

  @Override
  public void close() {
    if (!closed.get() && sweeper != null) {
      sweeper.shutdownNow();
    }
    if (pauseTimer != null) {
      pauseTimer.shutdownNow();
    }
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
