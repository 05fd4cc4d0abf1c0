package io.dbops.controlplane.logs;

import io.dbops.support.NamedThreadFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log service's housekeeping on one thread, {@code cp-log-sweeper-1}: every sweep period it
 * closes idle streams of finished executions and snapshots closed streams; every hour (and at
 * start) it deletes the logs of executions past the retention. A failed pass is logged at ERROR and
 * the next one runs. {@link #start} spawns the thread, {@link #close} stops it (idempotent).
 */
final class LogSweeper implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LogSweeper.class);
  private static final Duration RETENTION_PERIOD = Duration.ofHours(1);

  private final LogCompactor compactor;
  private final Wakeups wakeups;
  private final LogSettings settings;
  private final Clock clock;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean compactionRequested = new AtomicBoolean();
  private volatile ScheduledThreadPoolExecutor executor;

  LogSweeper(LogCompactor compactor, Wakeups wakeups, LogSettings settings, Clock clock) {
    this.compactor = compactor;
    this.wakeups = wakeups;
    this.settings = settings;
    this.clock = clock;
  }

  void start() {
    ScheduledThreadPoolExecutor ex = new ScheduledThreadPoolExecutor(1, new NamedThreadFactory("cp-log-sweeper", true),
        new ScheduledThreadPoolExecutor.DiscardPolicy());
    ex.setRemoveOnCancelPolicy(true);
    executor = ex;
    long period = settings.sweepPeriod().toMillis();
    ex.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
    ex.scheduleWithFixedDelay(this::retain, 0, RETENTION_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Asks for a snapshot pass soon (a stream was closed); requests coalesce. */
  void requestCompaction() {
    ScheduledThreadPoolExecutor ex = executor;
    if (ex != null && compactionRequested.compareAndSet(false, true)) {
      ex.execute(() -> {
        compactionRequested.set(false);
        compact();
      });
    }
  }

  /** One housekeeping pass (also for tests). */
  void sweep() {
    try {
      long now = clock.millis();
      int closedIdle = compactor.closeIdle(now - settings.idleClose().toMillis(), now);
      if (closedIdle > 0) {
        log.info("Closed {} idle log stream(s) of finished executions", closedIdle);
      }
      compact();
      wakeups.forgetIdle(TimeUnit.MINUTES.toNanos(10));
    } catch (RuntimeException e) {
      log.error("Log sweep failed; the next one runs in {} ms", settings.sweepPeriod().toMillis(), e);
    }
  }

  private void compact() {
    try {
      int compacted = compactor.compactClosed();
      if (compacted > 0) {
        log.debug("Snapshot {} closed log stream(s)", compacted);
      }
    } catch (RuntimeException e) {
      log.error("Snapshot of closed log streams failed; the next sweep tries again", e);
    }
  }

  /** Deletes logs past the retention (also for tests). */
  void retain() {
    if (settings.retentionDays() == 0) {
      return;
    }
    try {
      long cutoff = clock.millis() - TimeUnit.DAYS.toMillis(settings.retentionDays());
      int deleted = compactor.deleteFinishedBefore(cutoff);
      if (deleted > 0) {
        log.info("Deleted the logs of {} execution(s) finished more than {} day(s) ago (DBOPS_LOG_RETENTION_DAYS)",
            deleted, settings.retentionDays());
      }
    } catch (RuntimeException e) {
      log.error("Log retention pass failed; the next one runs in {}", RETENTION_PERIOD, e);
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    compactor.stop();
    ScheduledThreadPoolExecutor ex = executor;
    if (ex != null) {
      // Not shutdownNow first: interrupting a thread in the middle of H2 file I/O closes H2's file.
      ex.shutdown();
      try {
        if (!ex.awaitTermination(10, TimeUnit.SECONDS)) {
          log.warn("Log sweeper still busy after 10 s; interrupting it");
          ex.shutdownNow();
        }
      } catch (InterruptedException e) {
        ex.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
  }
}
