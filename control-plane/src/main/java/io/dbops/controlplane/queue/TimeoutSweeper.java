package io.dbops.controlplane.queue;

import io.dbops.support.NamedThreadFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fails RUNNING tasks that outlived their timeout plus a grace period (the delegate enforces the
 * timeout itself; this catches delegates that never report). Thread {@code cp-task-sweeper-1}.
 */
public final class TimeoutSweeper implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TimeoutSweeper.class);
  /** Time the delegate gets beyond the timeout to report the failure itself. */
  static final Duration GRACE = Duration.ofSeconds(30);

  private final TaskQueue queue;
  private final Clock clock;
  private final Duration period;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile ScheduledExecutorService executor;

  public TimeoutSweeper(TaskQueue queue, Clock clock, Duration period) {
    this.queue = queue;
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

  /** One pass; public for tests that drive it with a fixed clock. */
  public void sweep() {
    try {
      long now = clock.millis();
      for (Task task : queue.running()) {
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
    } catch (RuntimeException e) {
      log.error("Task timeout sweep failed; retrying in {}", period, e);
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true) && executor != null) {
      executor.shutdownNow();
      try {
        executor.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
