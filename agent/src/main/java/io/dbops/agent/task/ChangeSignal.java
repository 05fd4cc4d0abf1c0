package io.dbops.agent.task;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Wakes threads that wait for a condition on the {@link TaskRunner}'s state (no task running, every
 * result acknowledged). Whoever changes that state calls {@link #signal}; waiters re-check at least
 * every 200 ms in case a change came without a signal. Thread-safe.
 */
final class ChangeSignal {
  private final Object monitor = new Object();

  /** Waits until {@code condition} holds; false when {@code timeout} passes first. */
  boolean await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (monitor) {
      while (!condition.getAsBoolean()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(monitor, Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
      }
      return true;
    }
  }

  /** Wakes every waiter to re-check its condition. */
  void signal() {
    synchronized (monitor) {
      monitor.notifyAll();
    }
  }
}
