package io.dbops.controlplane.queue;

import io.dbops.controlplane.metrics.Metrics;
import io.dbops.protocol.TaskTypes;
import io.dbops.support.ExecutorShutdown;
import io.dbops.support.NamedThreadFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recovers RUNNING tasks whose lease lapsed and fails those that outlived their timeout plus a
 * grace period. Lease policy: {@code execute_step} fails with "delegate lost: lease of
 * &lt;instance&gt; lapsed at &lt;time&gt;" unless its payload has {@code safeToRetry: true}; every
 * other type is queued again with attempt + 1. Every change is a conditional UPDATE, so several
 * replicas may sweep at once. Thread {@code cp-task-sweeper-1}; a failed pass is logged at ERROR
 * and the next one runs as usual.
 */
public final class TaskSweeper implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TaskSweeper.class);
  /** Time the delegate gets beyond the timeout to report the failure itself. */
  static final Duration GRACE = Duration.ofSeconds(30);

  private final TaskQueue queue;
  private final Metrics metrics;
  private final Clock clock;
  private final Duration period;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile ScheduledExecutorService executor;

  public TaskSweeper(TaskQueue queue, Metrics metrics, Clock clock, Duration period) {
    this.queue = queue;
    this.metrics = metrics;
    this.clock = clock;
    this.period = period;
  }

  public void start() {
    ScheduledExecutorService ex =
        Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory("cp-task-sweeper", true));
    executor = ex;
    ex.scheduleWithFixedDelay(this::sweep, period.toMillis(), period.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** One pass; never throws. */
  public void sweep() {
    try {
      long now = clock.millis();
      for (Task task : queue.running()) {
        if (task.leaseExpiresAt() != null && task.leaseExpiresAt() < now) {
          recover(task, now);
          continue;
        }
        long deadline = task.startedAt() + task.timeoutSeconds() * 1000L + GRACE.toMillis();
        if (now > deadline) {
          String error = "Task timed out after " + task.timeoutSeconds() + " s on delegate "
              + task.delegateInstance();
          if (queue.fail(task.id(), error).isPresent()) {
            log.warn("Task {} ({}) of execution {}: {}", task.id(), task.type(),
                task.executionId(), error);
          }
        }
      }
    } catch (Throwable e) {
      log.error("Task sweep failed; retrying in {}", period, e);
    }
  }

  private void recover(Task task, long now) {
    String lapsedAt = Instant.ofEpochMilli(task.leaseExpiresAt()).toString();
    if (retryable(task)) {
      if (queue.requeueLapsed(task.id(), task.attempt(), now).isPresent()) {
        metrics.leaseRecovered("requeued");
        log.warn("Task {} ({}) of execution {}: lease of {} lapsed at {}; queued again as attempt {}",
            task.id(), task.type(), task.executionId(), task.delegateInstance(), lapsedAt,
            task.attempt() + 1);
      }
    } else {
      String error = "delegate lost: lease of " + task.delegateInstance() + " lapsed at " + lapsedAt;
      if (queue.failLapsed(task.id(), task.attempt(), now, error).isPresent()) {
        metrics.leaseRecovered("failed");
        log.warn("Task {} ({}) of execution {}: {}", task.id(), task.type(), task.executionId(),
            error);
      }
    }
  }

  /** init_stage, cleanup_stage and noop are safe to run again; execute_step only when marked. */
  static boolean retryable(Task task) {
    if (TaskTypes.EXECUTE_STEP.equals(task.type())) {
      return task.payload() != null && task.payload().path("safeToRetry").asBoolean(false);
    }
    return true;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true) && executor != null) {
      ExecutorShutdown.now(executor);
    }
  }
}
