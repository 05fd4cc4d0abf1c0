package io.dbops.controlplane.session;

import io.dbops.controlplane.config.ControlPlaneConfig;
import io.dbops.controlplane.metrics.Metrics;
import io.dbops.controlplane.queue.Task;
import io.dbops.controlplane.queue.TaskQueue;
import io.dbops.protocol.Frame;
import io.dbops.protocol.TaskTypes;
import io.dbops.support.ExecutorShutdown;
import io.dbops.support.NamedThreadFactory;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends {@code task_offer}s to the hub's eligible sessions on {@code cp-dispatch-1} (requests
 * coalesce), and fails queued tasks that no live delegate of any replica could run within the
 * dispatch deadline (called by the hub's timer). {@link #close} stops the dispatch thread.
 */
final class TaskDispatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TaskDispatcher.class);
  /** Queued tasks considered per dispatch and per deadline check (oldest first). */
  static final int SCAN_LIMIT = 1000;

  private final ControlPlaneConfig config;
  private final TaskQueue queue;
  private final DelegateRegistry registry;
  private final Collection<DelegateSession> sessions;
  private final Metrics metrics;
  private final Clock clock;
  private final BooleanSupplier hubClosed;
  private final AtomicBoolean dispatchPending = new AtomicBoolean();
  private volatile ThreadPoolExecutor dispatcher;

  /**
   * @param sessions live view of the hub's sessions (owned by the hub)
   * @param hubClosed true once the hub is closing: no dispatch is started after that
   */
  TaskDispatcher(ControlPlaneConfig config, TaskQueue queue, DelegateRegistry registry,
      Collection<DelegateSession> sessions, Metrics metrics, Clock clock,
      BooleanSupplier hubClosed) {
    this.config = config;
    this.queue = queue;
    this.registry = registry;
    this.sessions = sessions;
    this.metrics = metrics;
    this.clock = clock;
    this.hubClosed = hubClosed;
  }

  void start() {
    // One pending dispatch is enough: requests coalesce, so the queue never grows past 1.
    dispatcher = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(1),
        new NamedThreadFactory("cp-dispatch", true), new ThreadPoolExecutor.DiscardPolicy());
  }

  /** Offers queued tasks soon, on the dispatch thread; calls coalesce. */
  void dispatchSoon() {
    ThreadPoolExecutor d = dispatcher;
    if (d != null && !hubClosed.getAsBoolean() && dispatchPending.compareAndSet(false, true)) {
      d.execute(this::dispatch);
    }
  }

  /**
   * Offers each queued task (oldest first) to the eligible session with the most unoffered free
   * capacity; then, while sessions still have free capacity, offers tasks to them too (the first
   * claim wins). A session is never offered more tasks per pass than its free capacity.
   */
  private void dispatch() {
    dispatchPending.set(false);
    try {
      Map<DelegateSession, Integer> budget = new HashMap<>();
      for (DelegateSession s : sessions) {
        if (s.accepting() && s.freeCapacity() > 0) {
          budget.put(s, s.freeCapacity());
        }
      }
      if (budget.isEmpty()) {
        return;
      }
      List<Task> queued = queue.queued(SCAN_LIMIT);
      Map<DelegateSession, Set<String>> offered = new HashMap<>();
      for (int pass = 0; pass < 2; pass++) {
        for (Task task : queued) {
          DelegateSession best = null;
          for (Map.Entry<DelegateSession, Integer> e : budget.entrySet()) {
            DelegateSession s = e.getKey();
            if (e.getValue() > 0 && offerable(s, task)
                && !offered.getOrDefault(s, Set.of()).contains(task.id())
                && (best == null || e.getValue() > budget.get(best))) {
              best = s;
            }
          }
          if (best != null) {
            best.send(new Frame.TaskOffer(task.id(), task.type(), task.reachability()));
            budget.merge(best, -1, Integer::sum);
            offered.computeIfAbsent(best, k -> new HashSet<>()).add(task.id());
          }
        }
      }
    } catch (RuntimeException e) {
      log.error("Dispatching queued tasks failed; retrying at the next scan", e);
    }
  }

  private static boolean offerable(DelegateSession s, Task task) {
    return Eligibility.eligible(s.hello(), task) && !s.declined.contains(task.id());
  }

  /**
   * Announces and fails queued tasks that no live delegate (of any replica) can run: the first
   * time a task is seen without one, the listeners hear why ({@link TaskQueue#reportUnmatched},
   * naming each delegate's reason); it fails once it stayed so for its wait: an init_stage task
   * {@code DBOPS_STAGE_WAIT_FOR_DELEGATE_SECONDS} (0: at once), any other the dispatch deadline.
   */
  void checkDeadlines() {
    try {
      List<Task> queued = queue.queued(SCAN_LIMIT);
      if (queued.isEmpty()) {
        return;
      }
      long now = clock.millis();
      long liveAfter = now - 3L * config.heartbeatIntervalSeconds() * 1000L
          - config.sweepPeriodMillis();
      List<DelegateRegistry.Registered> live = registry.live(liveAfter);
      List<String> queuedIds = queued.stream().map(Task::id).toList();
      Map<String, List<TaskQueue.Decline>> declines = queue.declines(queuedIds);
      Map<String, Long> since = queue.unmatchedSince(queuedIds);
      List<String> matched = new ArrayList<>();
      for (Task task : queued) {
        List<String> reasons = new ArrayList<>();
        boolean any = false;
        for (DelegateRegistry.Registered r : live) {
          String why = Eligibility.whyNot(r, task, declines.getOrDefault(task.id(), List.of()));
          if (why == null) {
            any = true;
            break;
          }
          reasons.add(r.name() + " (instance " + r.instanceId() + "): " + why);
        }
        Long unmatchedSince = since.get(task.id());
        if (any) {
          if (unmatchedSince != null) {
            matched.add(task.id());
          }
          continue;
        }
        long waitMillis = waitMillis(task);
        if (unmatchedSince == null) {
          if (!queue.markUnmatched(task.id(), now)) {
            continue; // another replica noticed it first and announces it
          }
          unmatchedSince = now;
          queue.reportUnmatched(task, reasons, now + waitMillis);
        }
        if (unmatchedSince <= now - waitMillis) {
          String error = "no eligible delegate for " + task.type() + " of "
              + (task.stageName() == null ? "task " + task.id() : "stage " + task.stageName())
              + ": " + (reasons.isEmpty() ? "no delegate connected" : String.join("; ", reasons));
          if (queue.failUnmatched(task.id(), now - waitMillis + 1, error).isPresent()) {
            metrics.noEligibleDelegate();
            log.warn("Task {} of execution {} failed: {}", task.id(), task.executionId(), error);
          }
        }
      }
      queue.clearUnmatched(matched);
    } catch (Throwable e) {
      log.error("Checking dispatch deadlines failed; retrying in {} ms", config.sweepPeriodMillis(),
          e);
    }
  }

  private long waitMillis(Task task) {
    return 1000L * (TaskTypes.INIT_STAGE.equals(task.type())
        ? config.stageWaitForDelegateSeconds() : config.dispatchDeadlineSeconds());
  }

  /** Stops the dispatch thread (waits up to 5 s). Idempotent. */
  @Override
  public void close() {
    ThreadPoolExecutor d = dispatcher;
    if (d != null) {
      ExecutorShutdown.now(d);
    }
  }
}
