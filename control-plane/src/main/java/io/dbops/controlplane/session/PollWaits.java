package io.dbops.controlplane.session;

import io.dbops.support.NamedThreadFactory;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The two {@code cp-poll-N} threads that end long-poll waits and write their replies, so that a
 * waiting long poll holds no HTTP thread (issue 13: 200 polls stalled the server). Replies are
 * small JSON arrays written into Jetty's buffers. {@link #start} creates the threads; {@link
 * #close} lets queued replies go out (up to 2 s) and stops them; idempotent. Thread-safe.
 */
final class PollWaits implements AutoCloseable {
  private volatile ScheduledThreadPoolExecutor executor;

  void start() {
    ScheduledThreadPoolExecutor e =
        new ScheduledThreadPoolExecutor(2, new NamedThreadFactory("cp-poll", true));
    e.setRemoveOnCancelPolicy(true); // a poll answered early drops its timeout at once
    e.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    executor = e;
  }

  ScheduledExecutorService executor() {
    ScheduledThreadPoolExecutor e = executor;
    if (e == null) {
      throw new IllegalStateException("long-poll waits not started");
    }
    return e;
  }

  @Override
  public void close() {
    ScheduledThreadPoolExecutor e = executor;
    if (e == null) {
      return;
    }
    e.shutdown();
    try {
      if (!e.awaitTermination(2, TimeUnit.SECONDS)) {
        e.shutdownNow();
      }
    } catch (InterruptedException interrupted) {
      e.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
