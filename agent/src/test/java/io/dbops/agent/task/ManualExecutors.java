package io.dbops.agent.task;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Deterministic threads for {@link TaskRunner} tests: tasks and checks wait in a queue until the
 * test runs them on its own thread ({@link #runQueued}); timeouts fire when the test advances the
 * manual clock ({@link #advance}). Not thread-safe: one test thread drives it.
 */
final class ManualExecutors {
  final Queue workers = new Queue();
  final Queue async = new Queue();
  final Queue checks = new Queue();
  final Clock timeouts = new Clock();

  TaskExecutors executors() {
    return new TaskExecutors(workers, async, timeouts, checks);
  }

  /** Runs every queued task, start, report and check (and what they queue) on the calling thread. */
  void runQueued() {
    while (workers.runOne() | async.runOne() | checks.runOne()) {
      // until both are empty
    }
  }

  void advance(Duration duration) {
    timeouts.advance(duration);
  }

  /** An executor whose tasks wait until the test runs them. */
  static final class Queue extends AbstractExecutorService {
    private final Deque<Runnable> queued = new ArrayDeque<>();
    private boolean shutdown;

    @Override
    public void execute(Runnable command) {
      if (shutdown) {
        throw new java.util.concurrent.RejectedExecutionException("shut down");
      }
      queued.add(command);
    }

    boolean runOne() {
      Runnable next = queued.poll();
      if (next == null) {
        return false;
      }
      next.run();
      return true;
    }

    int size() {
      return queued.size();
    }

    @Override
    public void shutdown() {
      shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
      shutdown = true;
      List<Runnable> left = new ArrayList<>(queued);
      queued.clear();
      return left;
    }

    @Override
    public boolean isShutdown() {
      return shutdown;
    }

    @Override
    public boolean isTerminated() {
      return shutdown && queued.isEmpty();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return true;
    }
  }

  /** A scheduler on a manual clock. */
  static final class Clock extends AbstractExecutorService implements ScheduledExecutorService {
    private final PriorityQueue<Scheduled<?>> due = new PriorityQueue<>();
    private long nowNanos;
    private boolean shutdown;

    void advance(Duration duration) {
      long until = nowNanos + duration.toNanos();
      while (!due.isEmpty() && due.peek().atNanos <= until) {
        Scheduled<?> next = due.poll();
        nowNanos = next.atNanos;
        next.run();
      }
      nowNanos = until;
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
      Scheduled<Void> task = new Scheduled<>(() -> {
        command.run();
        return null;
      }, nowNanos + unit.toNanos(delay));
      due.add(task);
      return task;
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
      Scheduled<V> task = new Scheduled<>(callable, nowNanos + unit.toNanos(delay));
      due.add(task);
      return task;
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
      throw new UnsupportedOperationException();
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void execute(Runnable command) {
      schedule(command, 0, TimeUnit.NANOSECONDS);
    }

    @Override
    public void shutdown() {
      shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
      shutdown = true;
      due.clear();
      return List.of();
    }

    @Override
    public boolean isShutdown() {
      return shutdown;
    }

    @Override
    public boolean isTerminated() {
      return shutdown;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return true;
    }

    private final class Scheduled<V> extends FutureTask<V> implements ScheduledFuture<V> {
      final long atNanos;

      Scheduled(Callable<V> callable, long atNanos) {
        super(callable);
        this.atNanos = atNanos;
      }

      @Override
      public long getDelay(TimeUnit unit) {
        return unit.convert(atNanos - nowNanos, TimeUnit.NANOSECONDS);
      }

      @Override
      public int compareTo(Delayed other) {
        return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
      }
    }
  }
}
