package io.dbops.agent.task;

import io.dbops.support.LogKeys;
import io.dbops.agent.connection.FrameHandler;
import io.dbops.agent.connection.FrameSender;
import io.dbops.agent.endpoints.DelegateMetrics;
import io.dbops.agent.policy.DelegatePolicy;
import io.dbops.agent.runtime.PodRuntime;
import io.dbops.secrets.Masker;
import io.dbops.protocol.Frame;
import io.dbops.protocol.FrameCodec;
import io.dbops.protocol.TaskStatus;
import io.dbops.protocol.TaskTypes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims offered tasks while below capacity, runs assigned ones with their timeout, renews their
 * leases, honours aborts, and reports results until the control plane acknowledges them.
 *
 * <p>Frame callbacks arrive on the connection thread. A task starts on a {@code
 * delegate-task-async-N} thread ({@link TaskHandler#start}); a blocking handler then holds a {@code
 * delegate-task-N} thread until it returns, a waiting one (no-op, execute_step) holds none until its
 * callback. Tasks finish on the async threads, the {@code delegate-task-timeout-1} thread (timeout)
 * or the connection thread (abort). Reachability checks run on {@code delegate-reachability-N}.
 * Shared state is in concurrent maps. Every result is written to
 * the on-disk {@link Outbox} before it is sent and deleted on {@code result_ack}; results found
 * there at {@link #start} (left by an earlier process) are resent after the first welcome. Owns its
 * executors; {@link #close} (idempotent) interrupts running blocking tasks and cancels waiting ones.
 */
public final class TaskRunner implements FrameHandler, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TaskRunner.class);
  /** How long a reachability check may take (docs/protocol.md). */
  public static final Duration REACHABILITY_TIMEOUT = Duration.ofSeconds(2);
  /** The error of a task stopped because the drain grace period ended. */
  public static final String SHUT_DOWN_ERROR = "delegate shut down before the task finished";

  private final int capacity;
  private final int maxPendingResults;
  private final Map<String, TaskHandler> handlers;
  private final FrameSender sender;
  private final DelegateMetrics metrics;
  private final ReachabilityCheck reachability;
  private final FrameCodec codec = new FrameCodec();
  private final Map<String, RunningTask> running = new ConcurrentHashMap<>();
  /** Claimed tasks not yet assigned, by id: their types. */
  private final Map<String, String> claimed = new ConcurrentHashMap<>();
  /** How many more build pods the runtime can start now ({@link PodRuntime#podRoom}). */
  private final IntSupplier podRoom;
  private final PendingResults pending;
  private final AtomicBoolean claiming = new AtomicBoolean(true);
  private final AtomicBoolean draining = new AtomicBoolean();
  private final AtomicBoolean revoked = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean fullOutboxLogged = new AtomicBoolean();
  private final ChangeSignal changes = new ChangeSignal();
  private final java.util.function.Supplier<TaskExecutors> executors;
  private ExecutorService workers;
  private ExecutorService async;
  private ScheduledExecutorService timeouts;
  private ExecutorService checks;
  private TaskThreads threads;

  /**
   * @param outboxDir where results wait for their acknowledgement ({@code <stateDir>/outbox})
   */
  /** @param podRoom how many more build pods the runtime can start now: init_stage offers beyond it are not claimed */
  public TaskRunner(int capacity, List<TaskHandler> handlers, FrameSender sender, Path outboxDir,
      DelegateMetrics metrics, DelegatePolicy policy, IntSupplier podRoom) {
    this(capacity, handlers, sender, outboxDir, metrics, new ReachabilityCheck(REACHABILITY_TIMEOUT, policy),
        () -> TaskExecutors.standard(capacity), podRoom);
  }

  /** @param executors makes the runner's threads at {@link #start}; tests give deterministic ones */
  TaskRunner(int capacity, List<TaskHandler> handlers, FrameSender sender, Path outboxDir,
      DelegateMetrics metrics, ReachabilityCheck reachability, java.util.function.Supplier<TaskExecutors> executors) {
    this(capacity, handlers, sender, outboxDir, metrics, reachability, executors, () -> Integer.MAX_VALUE);
  }

  TaskRunner(int capacity, List<TaskHandler> handlers, FrameSender sender, Path outboxDir, DelegateMetrics metrics,
      ReachabilityCheck reachability, java.util.function.Supplier<TaskExecutors> executors, IntSupplier podRoom) {
    this.podRoom = podRoom;
    this.executors = executors;
    this.capacity = capacity;
    this.maxPendingResults = Math.max(100, 4 * capacity);
    this.handlers = handlers.stream().collect(Collectors.toMap(TaskHandler::taskType, Function.identity()));
    this.sender = sender;
    this.pending = new PendingResults(outboxDir, codec);
    this.metrics = metrics;
    this.reachability = reachability;
  }

  /** Loads the outbox and starts the executors. */
  public void start() {
    pending.load();
    TaskExecutors threads = executors.get();
    workers = threads.workers();
    async = threads.async();
    timeouts = threads.timeouts();
    checks = threads.checks();
    this.threads = new TaskThreads(workers, async, timeouts);
  }

  /** Tasks running now. */
  public int running() {
    return running.size();
  }

  /** The tasks running now, as re-announced in {@code hello.running}. */
  public List<Frame.RunningTask> runningTasks() {
    return running.values().stream()
        .map(t -> new Frame.RunningTask(t.task.taskId(), t.task.attempt()))
        .toList();
  }

  /**
   * The tasks whose results wait for acknowledgement, as announced in {@code hello.unacknowledged}.
   * With {@link #runningTasks} it names every assigned task this instance knows: the control plane
   * re-queues any other task it assigned to this instance (the assignment was lost in transit).
   */
  public List<Frame.RunningTask> unacknowledgedResults() {
    return pending.all().stream()
        .map(r -> new Frame.RunningTask(r.taskId(), r.attempt()))
        .toList();
  }

  /** Results sent (or waiting to be sent) but not yet acknowledged. */
  public int pendingResults() {
    return pending.size();
  }

  /** True once the control plane said the token was revoked. */
  public boolean isRevoked() {
    return revoked.get();
  }

  /** True once {@link #startDraining} was called. */
  public boolean isDraining() {
    return draining.get();
  }

  /** Stops claiming new tasks; running ones continue. */
  public void stopClaiming() {
    claiming.set(false);
  }

  /**
   * Drain, first step: stops claiming and hands back ({@code task_release}) every task claimed but
   * not started; an assignment arriving later is handed back too. Running tasks continue.
   */
  public void startDraining(String reason) {
    draining.set(true);
    claiming.set(false);
    for (String id : List.copyOf(claimed.keySet())) {
      if (claimed.remove(id) != null) {
        release(id, reason);
      }
    }
  }

  /** Waits until no task runs; false when {@code timeout} passes first. */
  public boolean awaitNoneRunning(Duration timeout) throws InterruptedException {
    return changes.await(() -> running.isEmpty(), timeout);
  }

  /** Waits until every result is acknowledged; false when {@code timeout} passes first. */
  public boolean awaitResultsAcknowledged(Duration timeout) throws InterruptedException {
    return changes.await(() -> pending.isEmpty(), timeout);
  }

  /** Stops every running task and reports it FAILED with {@code error}; returns how many. */
  public int stopRunning(String error) {
    int stopped = 0;
    for (RunningTask task : List.copyOf(running.values())) {
      if (finish(task, TaskOutcome.failed(error, null))) {
        task.cancel();
        stopped++;
      }
    }
    return stopped;
  }

  @Override
  public void onWelcome() {
    claimed.clear(); // claims of the old session died with it
    for (Frame.TaskResult result : pending.all()) {
      log.info("Resending the result of task {} (not yet acknowledged)", result.taskId());
      sender.send(result);
    }
  }

  @Override
  public void onDisconnected() {
    claimed.clear();
  }

  @Override
  public void onHeartbeat() {
    if (!running.isEmpty()) {
      sender.send(new Frame.LeaseRenew(List.copyOf(running.keySet())));
    }
  }

  @Override
  public void onFrame(Frame frame) {
    if (frame instanceof Frame.TaskOffer offer) {
      onOffer(offer);
    } else if (frame instanceof Frame.TaskAssigned assigned) {
      onAssigned(assigned);
    } else if (frame instanceof Frame.ClaimRejected rejected) {
      claimed.remove(rejected.taskId());
      metrics.claimRejected();
      log.debug("Claim of task {} rejected: {}", rejected.taskId(), rejected.reason());
    } else if (frame instanceof Frame.ResultAck ack) {
      if (pending.acknowledge(ack.taskId())) {
        log.debug("Result of task {} acknowledged", ack.taskId());
        changes.signal();
      }
    } else if (frame instanceof Frame.Abort abort) {
      onAbort(abort);
    } else if (frame instanceof Frame.Revoked revocation) {
      onRevoked(revocation);
    } else {
      log.debug("Ignored a {} frame", frame.getClass().getSimpleName());
    }
  }

  /** init_stage tasks claimed or running: pods that may start (running ones may be counted twice). */
  private long initsInFlight() {
    return claimed.values().stream().filter(TaskTypes.INIT_STAGE::equals).count()
        + running.values().stream().filter(t -> TaskTypes.INIT_STAGE.equals(t.task.taskType())).count();
  }

  private void onOffer(Frame.TaskOffer offer) {
    String id = offer.taskId();
    if (!claiming.get() || !handlers.containsKey(offer.taskType())
        || running.containsKey(id) || claimed.containsKey(id) || pending.contains(id)) {
      return;
    }
    if (running.size() + claimed.size() >= capacity) {
      log.debug("Not claiming task {}: {} running, {} claimed, capacity {}", id, running.size(), claimed.size(), capacity);
      return;
    }
    if (pending.size() >= maxPendingResults) {
      if (fullOutboxLogged.compareAndSet(false, true)) {
        log.warn("Not claiming tasks: {} results wait for acknowledgement (limit {})", pending.size(), maxPendingResults);
      }
      return;
    }
    if (TaskTypes.INIT_STAGE.equals(offer.taskType()) && initsInFlight() >= podRoom.getAsInt()) {
      log.debug("Not claiming task {}: no room for another build pod", id); // another delegate may have it
      return;
    }
    fullOutboxLogged.set(false);
    claimed.put(id, offer.taskType());
    String target = offer.reachability();
    if (target == null || target.isBlank()) {
      claim(id);
      return;
    }
    try {
      checks.execute(() -> checkThenClaim(id, target));
    } catch (RejectedExecutionException e) {
      claimed.remove(id); // closing
    }
  }

  /** On a reachability thread: claims when the target answers, declines otherwise. */
  private void checkThenClaim(String id, String target) {
    String problem = reachability.problem(target);
    if (!claimed.containsKey(id)) {
      return; // the session ended or the delegate started draining meanwhile
    }
    if (problem == null) {
      if (claiming.get()) {
        claim(id);
      } else {
        claimed.remove(id);
      }
      return;
    }
    claimed.remove(id);
    metrics.offerDeclined();
    log.info("Declining task {}: {}", id, problem);
    sender.send(new Frame.ClaimDeclined(id, problem));
  }

  private void claim(String id) {
    if (!sender.send(new Frame.Claim(id))) {
      claimed.remove(id);
    }
  }

  private void onAssigned(Frame.TaskAssigned task) {
    String id = task.taskId();
    try {
      Frame.TaskResult done = pending.get(id);
      if (done != null) {
        sender.send(done); // assigned again after we finished: the control plane lost our result
        return;
      }
      if (running.containsKey(id)) {
        return; // duplicate assignment of a task we run
      }
      if (draining.get()) {
        release(id, "delegate is shutting down");
        return;
      }
      TaskHandler handler = handlers.get(task.taskType());
      if (handler == null) {
        metrics.taskFailedWithoutRunning();
        TaskOutcome refused = TaskOutcome.failed("This delegate does not run tasks of type " + task.taskType(), null);
        report(task, refused, pending.add(new Frame.TaskResult(id, task.attempt(), refused.status(),
            refused.error(), refused.output())));
        return;
      }
      RunningTask runningTask = new RunningTask(task);
      running.put(id, runningTask);
      metrics.taskClaimed();
      metrics.taskStarted();
      try {
        async.execute(TaskThreads.withMdc(Map.of(LogKeys.TASK_ID, id, LogKeys.TASK_TYPE, task.taskType(),
            LogKeys.ATTEMPT, Integer.toString(task.attempt())), () -> begin(handler, runningTask)));
      } catch (RejectedExecutionException e) {
        finish(runningTask, TaskOutcome.failed(
            "Delegate is over capacity (" + running.size() + " tasks running, capacity " + capacity + ")", null));
        return;
      }
      if (task.timeoutSeconds() > 0) {
        runningTask.timeout = timeouts.schedule(() -> timeOut(runningTask), task.timeoutSeconds(), TimeUnit.SECONDS);
      }
    } finally {
      claimed.remove(id);
    }
  }

  private void onAbort(Frame.Abort abort) {
    String id = abort.taskId();
    claimed.remove(id);
    RunningTask task = running.get(id);
    if (task == null) {
      log.debug("Ignored abort of task {}, which this delegate does not run: {}", id, abort.reason());
      return;
    }
    log.warn("Task {} ({}) aborted by the control plane: {}", id, task.task.taskType(), abort.reason());
    if (finish(task, TaskOutcome.failed("aborted: " + abort.reason(), null))) {
      task.cancel();
    }
  }

  private void onRevoked(Frame.Revoked revocation) {
    claiming.set(false);
    if (revoked.compareAndSet(false, true)) {
      log.warn("Token revoked by the control plane: finishing {} running task(s), claiming no more work",
          running.size());
      log.debug("Revocation message: {}", revocation.message());
    }
  }

  private void release(String id, String reason) {
    log.info("Handing back task {}: {}", id, reason);
    sender.send(new Frame.TaskRelease(id, reason));
  }

  /**
   * On an async thread with the task's MDC: starts the task's handler and arranges for its outcome
   * to be reported.
   */
  private void begin(TaskHandler handler, RunningTask runningTask) {
    Frame.TaskAssigned task = runningTask.task;
    if (runningTask.finished.get()) {
      return; // stopped (aborted, drained) before a thread was free
    }
    log.info("Running task {} ({}, attempt {})", task.taskId(), task.taskType(), task.attempt());
    Masker masker = maskerOf(handler, task);
    CompletableFuture<TaskOutcome> outcome;
    try {
      outcome = handler.start(task, threads);
    } catch (Exception | Error e) {
      outcome = CompletableFuture.failedFuture(e);
    }
    runningTask.outcome = outcome;
    if (runningTask.finished.get()) {
      outcome.cancel(true); // stopped while it started: RunningTask#cancel may have missed the future
    }
    // The callbacks executor carries the task's MDC to wherever the outcome is reported.
    outcome.whenCompleteAsync((result, error) -> complete(runningTask, masker, result, error), threads.callbacks());
  }

  /** Reports a handler's outcome (masked), unless the task was stopped (cancelled) meanwhile. */
  private void complete(RunningTask runningTask, Masker masker, TaskOutcome result, Throwable error) {
    Throwable failure = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (failure instanceof CancellationException) {
      return; // whoever cancelled it (timeout, abort, drain, close) reported it
    }
    TaskOutcome outcome = failure == null && result != null ? result
        : HandlerFailures.outcome(runningTask.task, failure, masker,
            "(" + running.size() + " tasks running, capacity " + capacity + ")");
    if (outcome.error() != null) {
      outcome = new TaskOutcome(outcome.status(), masker.apply(outcome.error()), outcome.output());
    }
    finish(runningTask, outcome);
  }

  private static Masker maskerOf(TaskHandler handler, Frame.TaskAssigned task) {
    try {
      return handler.masker(task);
    } catch (RuntimeException e) {
      return Masker.NONE;
    }
  }

  private void timeOut(RunningTask runningTask) {
    try {
      Frame.TaskAssigned task = runningTask.task;
      if (finish(runningTask, TaskOutcome.failed(
          "Task " + task.taskId() + " (" + task.taskType() + ") timed out after " + task.timeoutSeconds() + " s", null))) {
        runningTask.cancel();
      }
    } catch (RuntimeException e) {
      log.error("Timing out task {} failed", runningTask.task.taskId(), e);
    }
  }

  /** Reports the outcome once; false when another path (run, timeout, abort, drain) already did. */
  private boolean finish(RunningTask runningTask, TaskOutcome outcome) {
    if (!runningTask.finished.compareAndSet(false, true)) {
      return false;
    }
    if (runningTask.timeout != null) {
      runningTask.timeout.cancel(false);
    }
    metrics.taskEnded(runningTask.task.taskType(), outcome.status() == TaskStatus.SUCCEEDED,
        Duration.ofNanos(System.nanoTime() - runningTask.startedNanos));
    Frame.TaskAssigned task = runningTask.task;
    Frame.TaskResult result = pending.add(
        new Frame.TaskResult(task.taskId(), task.attempt(), outcome.status(), outcome.error(), outcome.output()));
    // Removed after the result is in the outbox, so a re-announce never misses a finished task, and
    // before the result is sent, so the capacity is free when the control plane hears of it and
    // offers the next task (an offer seen while still full is not claimed).
    running.remove(task.taskId());
    changes.signal();
    report(task, outcome, result);
    return true;
  }

  private void report(Frame.TaskAssigned task, TaskOutcome outcome, Frame.TaskResult result) {
    if (outcome.status() == TaskStatus.SUCCEEDED) {
      log.info("Task {} ({}) succeeded", task.taskId(), task.taskType());
    } else {
      log.warn("Task {} ({}) failed: {}", task.taskId(), task.taskType(), outcome.error());
    }
    if (!sender.send(result)) {
      log.info("Not connected: the result of task {} will be sent after reconnecting", task.taskId());
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    claiming.set(false);
    if (checks != null) {
      checks.shutdownNow();
    }
    if (workers != null) {
      workers.shutdownNow(); // interrupts blocking handlers, which report their outcome
      try {
        if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
          log.warn("{} tasks still running 10 s after being interrupted", running.size());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (async != null) {
      // Lets the reports already queued run (the interrupted blocking tasks' own outcomes); what is
      // submitted afterwards runs on the submitting thread (TaskThreads#callbacks).
      async.shutdown();
      try {
        if (!async.awaitTermination(5, TimeUnit.SECONDS)) {
          async.shutdownNow();
        }
      } catch (InterruptedException e) {
        async.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
    // Waiting tasks hold no thread that an interrupt could reach: report them as an interrupted
    // task is reported (the result goes to the outbox), then end their waits.
    for (RunningTask task : List.copyOf(running.values())) {
      if (finish(task, TaskOutcome.failed(HandlerFailures.interrupted(task.task), null))) {
        task.cancel();
      }
    }
    if (timeouts != null) {
      timeouts.shutdownNow();
    }
  }
}
