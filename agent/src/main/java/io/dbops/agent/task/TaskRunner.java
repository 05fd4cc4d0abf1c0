package io.dbops.agent.task;

import io.dbops.agent.LogKeys;
import io.dbops.agent.connection.FrameHandler;
import io.dbops.agent.connection.FrameSender;
import io.dbops.protocol.Frame;
import io.dbops.protocol.TaskStatus;
import io.dbops.support.NamedThreadFactory;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Claims offered tasks while below capacity, runs assigned ones on {@code delegate-task-N}
 * threads with their timeout, and reports results until the control plane acknowledges them.
 *
 * <p>Frame callbacks arrive on the connection thread; tasks complete on task threads or the
 * {@code delegate-task-timeout-1} thread. Shared state is in concurrent maps. Results not yet
 * acknowledged are kept in memory and resent after every welcome. Owns its executors; {@link
 * #close} (idempotent) interrupts running tasks.
 */
public final class TaskRunner implements FrameHandler, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TaskRunner.class);

  private final int capacity;
  private final Map<String, TaskHandler> handlers;
  private final FrameSender sender;
  private final Map<String, RunningTask> running = new ConcurrentHashMap<>();
  private final Set<String> claimed = ConcurrentHashMap.newKeySet();
  private final Map<String, Frame.TaskResult> pending = new ConcurrentHashMap<>();
  private final AtomicBoolean claiming = new AtomicBoolean(true);
  private final AtomicBoolean closed = new AtomicBoolean();
  private ThreadPoolExecutor workers;
  private ScheduledExecutorService timeouts;

  public TaskRunner(int capacity, List<TaskHandler> handlers, FrameSender sender) {
    this.capacity = capacity;
    this.handlers = handlers.stream().collect(Collectors.toMap(TaskHandler::taskType, Function.identity()));
    this.sender = sender;
  }

  public void start() {
    // The queue only absorbs the moment between a task finishing and its thread becoming free:
    // claims never exceed capacity, so more than `capacity` queued tasks would be a protocol error.
    workers = new ThreadPoolExecutor(capacity, capacity, 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(capacity), new NamedThreadFactory("delegate-task", true),
        new ThreadPoolExecutor.AbortPolicy());
    timeouts = Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory("delegate-task-timeout", true));
  }

  /** Tasks running now. */
  public int running() {
    return running.size();
  }

  /** Results sent but not yet acknowledged. */
  public int pendingResults() {
    return pending.size();
  }

  /** Stops claiming new tasks; running ones continue. */
  public void stopClaiming() {
    claiming.set(false);
  }

  @Override
  public void onWelcome() {
    claimed.clear(); // claims of the old session died with it
    for (Frame.TaskResult result : pending.values()) {
      log.info("Resending the result of task {} (not yet acknowledged)", result.taskId());
      sender.send(result);
    }
  }

  @Override
  public void onDisconnected() {
    claimed.clear();
  }

  @Override
  public void onFrame(Frame frame) {
    if (frame instanceof Frame.TaskOffer offer) {
      onOffer(offer);
    } else if (frame instanceof Frame.TaskAssigned assigned) {
      onAssigned(assigned);
    } else if (frame instanceof Frame.ClaimRejected rejected) {
      claimed.remove(rejected.taskId());
      log.debug("Claim of task {} rejected: {}", rejected.taskId(), rejected.reason());
    } else if (frame instanceof Frame.ResultAck ack) {
      if (pending.remove(ack.taskId()) != null) {
        log.debug("Result of task {} acknowledged", ack.taskId());
      }
    } else {
      log.debug("Ignored a {} frame", frame.getClass().getSimpleName());
    }
  }

  private void onOffer(Frame.TaskOffer offer) {
    String id = offer.taskId();
    if (!claiming.get() || !handlers.containsKey(offer.taskType())
        || running.containsKey(id) || claimed.contains(id) || pending.containsKey(id)) {
      return;
    }
    if (running.size() + claimed.size() >= capacity) {
      log.debug("Not claiming task {}: {} running, {} claimed, capacity {}", id, running.size(), claimed.size(), capacity);
      return;
    }
    claimed.add(id);
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
      TaskHandler handler = handlers.get(task.taskType());
      if (handler == null) {
        report(task, TaskOutcome.failed("This delegate does not run tasks of type " + task.taskType(), null));
        return;
      }
      RunningTask runningTask = new RunningTask(task);
      running.put(id, runningTask);
      try {
        runningTask.future = workers.submit(() -> run(handler, runningTask));
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

  private void run(TaskHandler handler, RunningTask runningTask) {
    Frame.TaskAssigned task = runningTask.task;
    Map<String, String> previous = MDC.getCopyOfContextMap();
    MDC.put(LogKeys.TASK_ID, task.taskId());
    MDC.put(LogKeys.TASK_TYPE, task.taskType());
    MDC.put(LogKeys.ATTEMPT, Integer.toString(task.attempt()));
    try {
      log.info("Running task {} ({}, attempt {})", task.taskId(), task.taskType(), task.attempt());
      TaskOutcome outcome;
      try {
        outcome = handler.run(task);
      } catch (TaskFailedException e) {
        outcome = TaskOutcome.failed(e.getMessage(), null);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        outcome = TaskOutcome.failed("Task " + task.taskId() + " was interrupted: the delegate is shutting down", null);
      } catch (Exception e) {
        log.error("Task {} ({}) failed unexpectedly", task.taskId(), task.taskType(), e);
        outcome = TaskOutcome.failed("The delegate failed while running " + task.taskType() + ": " + e, null);
      }
      finish(runningTask, outcome);
    } finally {
      if (previous == null) {
        MDC.clear();
      } else {
        MDC.setContextMap(previous);
      }
    }
  }

  private void timeOut(RunningTask runningTask) {
    try {
      Frame.TaskAssigned task = runningTask.task;
      if (finish(runningTask, TaskOutcome.failed(
          "Task " + task.taskId() + " (" + task.taskType() + ") timed out after " + task.timeoutSeconds() + " s", null))) {
        runningTask.future.cancel(true);
      }
    } catch (RuntimeException e) {
      log.error("Timing out task {} failed", runningTask.task.taskId(), e);
    }
  }

  /** Reports the outcome once; false when another path (run or timeout) already did. */
  private boolean finish(RunningTask runningTask, TaskOutcome outcome) {
    if (!runningTask.finished.compareAndSet(false, true)) {
      return false;
    }
    if (runningTask.timeout != null) {
      runningTask.timeout.cancel(false);
    }
    running.remove(runningTask.task.taskId());
    report(runningTask.task, outcome);
    return true;
  }

  private void report(Frame.TaskAssigned task, TaskOutcome outcome) {
    Frame.TaskResult result =
        new Frame.TaskResult(task.taskId(), task.attempt(), outcome.status(), outcome.error(), outcome.output());
    pending.put(task.taskId(), result);
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
    if (workers != null) {
      workers.shutdownNow();
      try {
        if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
          log.warn("{} tasks still running 10 s after being interrupted", running.size());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (timeouts != null) {
      timeouts.shutdownNow();
    }
  }

  private static final class RunningTask {
    final Frame.TaskAssigned task;
    final AtomicBoolean finished = new AtomicBoolean();
    volatile Future<?> future;
    volatile ScheduledFuture<?> timeout;

    RunningTask(Frame.TaskAssigned task) {
      this.task = task;
    }
  }
}
