package io.dbops.controlplane.logs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Per execution: a lock that serializes this process's appends (so they do not queue on database
 * row locks) and a version that readers wait on, blocking ({@link Entry#await}) or with a
 * callback ({@link Entry#onSignal}). Entries unused for a while are dropped. Thread-safe.
 */
final class Wakeups {
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();

  static final class Entry {
    final ReentrantLock appendLock = new ReentrantLock();
    private long version; // guarded by this
    private final List<Runnable> listeners = new ArrayList<>(); // guarded by this
    private volatile long lastUsedNanos = System.nanoTime();

    synchronized long version() {
      return version;
    }

    void signal() {
      List<Runnable> woken;
      synchronized (this) {
        version++;
        notifyAll();
        woken = List.copyOf(listeners);
        listeners.clear();
      }
      woken.forEach(Runnable::run); // outside the lock: they only hand work to an executor
    }

    /**
     * Runs {@code action} once, on the signalling thread, when the version moves past
     * {@code seen} (at once, on this thread, when it already has). Returns a handle that removes
     * it. {@code action} must be quick (hand work to an executor).
     */
    Runnable onSignal(long seen, Runnable action) {
      synchronized (this) {
        if (version == seen) {
          listeners.add(action);
          return () -> {
            synchronized (this) {
              listeners.remove(action);
            }
          };
        }
      }
      action.run();
      return () -> { };
    }

    synchronized boolean hasListeners() {
      return !listeners.isEmpty();
    }

    /** Waits until the version moves past {@code seen} or {@code millis} pass. */
    synchronized void await(long seen, long millis) throws InterruptedException {
      long deadline = System.nanoTime() + millis * 1_000_000L;
      while (version == seen) {
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        if (left <= 0) {
          return;
        }
        wait(left);
      }
    }
  }

  Entry of(String executionId) {
    Entry entry = entries.computeIfAbsent(executionId, id -> new Entry());
    entry.lastUsedNanos = System.nanoTime();
    return entry;
  }

  void signal(String executionId) {
    of(executionId).signal();
  }

  /** Drops entries unused for {@code idleNanos}; a later use makes a fresh one. */
  void forgetIdle(long idleNanos) {
    long now = System.nanoTime();
    entries.values().removeIf(e -> now - e.lastUsedNanos > idleNanos && !e.appendLock.isLocked()
        && !e.hasListeners());
  }
}
