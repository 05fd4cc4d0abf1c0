package io.dbops.controlplane.logs;

import io.dbops.api.LogPage;
import io.dbops.support.NamedThreadFactory;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Long polls of an execution's log ({@code GET /api/v1/executions/{id}/logs?waitMillis=}) that
 * hold no HTTP thread while they wait (issue 13): a read with nothing new registers for the
 * execution's next append and re-reads then, or every second (appends through other replicas),
 * on the two {@code cp-log-wait-N} threads, which also write the replies. {@link #start} creates
 * the threads; {@link #close} answers every waiting read with what it has and stops them;
 * idempotent. Thread-safe.
 */
final class LogReads implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LogReads.class);
  private static final long POLL_MILLIS = 1000;

  private final LogStore store;
  private final Wakeups wakeups;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile ScheduledThreadPoolExecutor executor;

  LogReads(LogStore store, Wakeups wakeups) {
    this.store = store;
    this.wakeups = wakeups;
  }

  void start() {
    ScheduledThreadPoolExecutor e =
        new ScheduledThreadPoolExecutor(2, new NamedThreadFactory("cp-log-wait", true));
    e.setRemoveOnCancelPolicy(true);
    e.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    executor = e;
  }

  /** See {@link LogService#read}. */
  CompletableFuture<LogPage> read(String executionId, long after, long waitMillis,
      Function<String, String> status) {
    CompletableFuture<LogPage> result = new CompletableFuture<>();
    long deadline = System.nanoTime() + Math.min(waitMillis, LogService.MAX_WAIT_MILLIS) * 1_000_000L;
    attempt(new Read(executionId, after, deadline, status, result));
    return result;
  }

  private record Read(String executionId, long after, long deadlineNanos,
      Function<String, String> status, CompletableFuture<LogPage> result) {}

  private void attempt(Read read) {
    try {
      Wakeups.Entry wake = wakeups.of(read.executionId());
      long version = wake.version();
      List<LogPage.Line> lines = store.read(read.executionId(), read.after(), LogService.MAX_PAGE);
      String current = read.status().apply(read.executionId());
      boolean finished = "SUCCEEDED".equals(current) || "FAILED".equals(current);
      long remaining = (read.deadlineNanos() - System.nanoTime()) / 1_000_000L;
      ScheduledThreadPoolExecutor e = executor;
      if (!lines.isEmpty() || finished || remaining <= 0 || closed.get() || e == null) {
        long next = lines.isEmpty() ? read.after() : lines.get(lines.size() - 1).cursor();
        read.result().complete(new LogPage(lines, next, current));
        return;
      }
      AtomicBoolean fired = new AtomicBoolean();
      Runnable[] cancel = new Runnable[1];
      Runnable again = () -> {
        if (fired.compareAndSet(false, true)) {
          if (cancel[0] != null) {
            cancel[0].run();
          }
          submit(e, () -> attempt(read), read);
        }
      };
      cancel[0] = wake.onSignal(version, again);
      e.schedule(again, Math.min(remaining, POLL_MILLIS), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException shuttingDown) {
      read.result().complete(new LogPage(List.of(), read.after(), null));
    } catch (RuntimeException ex) {
      read.result().completeExceptionally(ex); // mapped to an error reply by the HTTP layer
    }
  }

  private static void submit(ScheduledThreadPoolExecutor e, Runnable task, Read read) {
    try {
      e.execute(task);
    } catch (RejectedExecutionException shuttingDown) {
      read.result().complete(new LogPage(List.of(), read.after(), null));
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    ScheduledThreadPoolExecutor e = executor;
    if (e == null) {
      return;
    }
    // Waiting reads are scheduled re-reads: run them now, each answers at once (closed).
    List<Runnable> waiting = List.copyOf(e.getQueue());
    e.getQueue().clear();
    waiting.forEach(r -> e.execute(r));
    e.shutdown();
    try {
      if (!e.awaitTermination(2, TimeUnit.SECONDS)) {
        log.warn("Log long polls did not finish within 2 s of shutdown");
        e.shutdownNow();
      }
    } catch (InterruptedException interrupted) {
      e.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
