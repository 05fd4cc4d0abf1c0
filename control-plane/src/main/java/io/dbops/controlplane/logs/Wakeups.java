package io.dbops.controlplane.logs;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Per execution: a lock that serializes this process's appends (so they do not queue on database
 * row locks) and a version that readers wait on. Entries unused for a while are dropped. Thread-safe.
 */
final class Wakeups {
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();

  static final class Entry {
    final ReentrantLock appendLock = new ReentrantLock();
    private long version; // guarded by this
    private volatile long lastUsedNanos = System.nanoTime();

    synchronized long version() {
      return version;
    }

    synchronized void signal() {
      version++;
      notifyAll();
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
    entries.values().removeIf(e -> now - e.lastUsedNanos > idleNanos && !e.appendLock.isLocked());
  }
}
