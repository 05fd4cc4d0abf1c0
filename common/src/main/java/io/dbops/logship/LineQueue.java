package io.dbops.logship;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The shipper's in-memory buffer: a FIFO bounded both by line count and by the lines' estimated
 * heap footprint ({@link #footprint}), so neither many short lines nor a few huge ones can grow
 * memory past the bound. Producers block while it is full (backpressure); {@link #close} wakes
 * everyone. Thread-safe.
 */
final class LineQueue {
  private final int maxLines;
  private final long maxBytes;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notFull = lock.newCondition();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<LogLine> lines = new ArrayDeque<>(); // guarded by lock
  private long bytes; // guarded by lock
  private boolean closed; // guarded by lock
  private boolean consumerWaiting; // guarded by lock

  LineQueue(int maxLines, long maxBytes) {
    this.maxLines = maxLines;
    this.maxBytes = maxBytes;
  }

  /**
   * Estimated heap bytes a queued line holds: the record, its String and the String's array
   * (counted at two bytes a char, the worst case, although Latin-1 text takes one).
   */
  static long footprint(LogLine line) {
    return 72 + 2L * line.text().length();
  }

  /**
   * Queues a line, blocking while the queue is full. An empty queue takes any one line, so a line
   * larger than the byte bound cannot block forever.
   *
   * @return false when the queue was closed (the line was not queued)
   */
  boolean put(LogLine line) throws InterruptedException {
    long size = footprint(line);
    lock.lockInterruptibly();
    try {
      while (!closed && !lines.isEmpty() && (lines.size() >= maxLines || bytes + size > maxBytes)) {
        notFull.await();
      }
      if (closed) {
        return false;
      }
      lines.addLast(line);
      bytes += size;
      if (consumerWaiting) {
        changed.signal();
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Moves lines to {@code into}: waits up to {@code firstWaitNanos} for a first line, then up to
   * {@code lingerNanos} more for a full batch, then takes at most {@code batchLines} lines and
   * about {@code batchBytes} of text (at least one line). Returns early when closed.
   *
   * @return the number of lines moved
   */
  int drain(List<LogLine> into, int batchLines, long batchBytes, long firstWaitNanos, long lingerNanos)
      throws InterruptedException {
    lock.lockInterruptibly();
    try {
      long now = System.nanoTime();
      long firstDeadline = now + firstWaitNanos;
      while (lines.isEmpty() && !closed) {
        long left = firstDeadline - System.nanoTime();
        if (left <= 0) {
          return 0;
        }
        await(left);
      }
      long lingerDeadline = System.nanoTime() + lingerNanos;
      while (!closed && lines.size() < batchLines && bytes < 2 * batchBytes) {
        long left = lingerDeadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        await(left);
      }
      int moved = 0;
      long text = 0;
      while (!lines.isEmpty() && moved < batchLines && (moved == 0 || text < batchBytes)) {
        LogLine line = lines.pollFirst();
        bytes -= footprint(line);
        text += line.text().length() + 64;
        into.add(line);
        moved++;
      }
      if (moved > 0) {
        notFull.signalAll();
      }
      return moved;
    } finally {
      lock.unlock();
    }
  }

  /** Waits up to {@code nanos} or until closed; returns early when a line arrives if asked. */
  void pause(long nanos, boolean wakeOnLine) throws InterruptedException {
    lock.lockInterruptibly();
    try {
      long deadline = System.nanoTime() + nanos;
      int before = lines.size();
      while (!closed) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || (wakeOnLine && lines.size() > before)) {
          return;
        }
        await(left);
      }
    } finally {
      lock.unlock();
    }
  }

  boolean isEmpty() {
    lock.lock();
    try {
      return lines.isEmpty();
    } finally {
      lock.unlock();
    }
  }

  int size() {
    lock.lock();
    try {
      return lines.size();
    } finally {
      lock.unlock();
    }
  }

  /** Estimated heap bytes of the queued lines. */
  long bytes() {
    lock.lock();
    try {
      return bytes;
    } finally {
      lock.unlock();
    }
  }

  /** Wakes the consumer (for example to notice the end of the stream) without adding a line. */
  void wake() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Removes and returns every queued line. */
  java.util.List<LogLine> drainAll() {
    lock.lock();
    try {
      java.util.List<LogLine> all = new java.util.ArrayList<>(lines);
      lines.clear();
      bytes = 0;
      notFull.signalAll();
      return all;
    } finally {
      lock.unlock();
    }
  }

  /** Refuses further lines and wakes every waiter; queued lines stay drainable. Idempotent. */
  void close() {
    lock.lock();
    try {
      closed = true;
      notFull.signalAll();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void await(long nanos) throws InterruptedException {
    consumerWaiting = true;
    try {
      changed.awaitNanos(nanos);
    } finally {
      consumerWaiting = false;
    }
  }

}
