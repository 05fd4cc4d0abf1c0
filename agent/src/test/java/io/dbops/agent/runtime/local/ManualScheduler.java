package io.dbops.agent.runtime.local;

import java.time.Duration;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A scheduler on a manual clock: tasks run on the test's thread when it calls {@link #advance} (or
 * {@link #runDue} for those due now). Not thread-safe: one test thread drives it.
 */
final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService {
  private final PriorityQueue<Scheduled<?>> due = new PriorityQueue<>();
  private long nowNanos;
  private long sequence;
  private boolean shutdown;

  long nanoTime() {
    return nowNanos;
  }

  /** Runs what is due now, including what those tasks schedule for now. */
  void runDue() {
    advance(Duration.ZERO);
  }

  void advance(Duration duration) {
    long until = nowNanos + duration.toNanos();
    while (!due.isEmpty() && due.peek().atNanos <= until) {
      Scheduled<?> next = due.poll();
      nowNanos = Math.max(nowNanos, next.atNanos);
      next.run();
    }
    nowNanos = until;
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    return schedule(() -> {
      command.run();
      return null;
    }, delay, unit);
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    if (shutdown) {
      throw new RejectedExecutionException("shut down");
    }
    Scheduled<V> task = new Scheduled<>(callable, nowNanos + unit.toNanos(delay), sequence++);
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
    final long order;

    Scheduled(Callable<V> callable, long atNanos, long order) {
      super(callable);
      this.atNanos = atNanos;
      this.order = order;
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(atNanos - nowNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed other) {
      Scheduled<?> o = (Scheduled<?>) other;
      return atNanos != o.atNanos ? Long.compare(atNanos, o.atNanos) : Long.compare(order, o.order);
    }
  }
}
