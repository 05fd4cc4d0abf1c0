package io.dbops.support;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/** Stopping a background executor the same way everywhere. */
public final class ExecutorShutdown {
  private ExecutorShutdown() {}

  /**
   * Interrupts the executor's tasks and waits up to 5 s for them to end; null is ignored. An
   * interrupt of the caller ends the wait and is kept.
   */
  public static void now(ExecutorService executor) {
    now(executor, Duration.ofSeconds(5));
  }

  /** As {@link #now(ExecutorService)}, waiting at most {@code wait}. */
  public static void now(ExecutorService executor, Duration wait) {
    if (executor == null) {
      return;
    }
    executor.shutdownNow();
    try {
      executor.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
