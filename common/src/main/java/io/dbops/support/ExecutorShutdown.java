package io.dbops.support;

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
    if (executor == null) {
      return;
    }
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
