package io.dbops.agent.task;

import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.MDC;

/**
 * The task runner's threads, as a {@link TaskHandler#start} may use them. Owned and shut down by
 * the {@link TaskRunner}; handlers never shut them down. Thread-safe.
 */
public final class TaskThreads {
  private final ExecutorService workers;
  private final ExecutorService async;
  private final ScheduledExecutorService scheduler;

  TaskThreads(ExecutorService workers, ExecutorService async, ScheduledExecutorService scheduler) {
    this.workers = workers;
    this.async = async;
    this.scheduler = scheduler;
  }

  /**
   * For a handler run outside a task runner ({@link TaskHandler#run} of a waiting handler, called by
   * tests and fixtures): blocking work and callbacks run on the thread that submits them; no
   * scheduler.
   */
  static TaskThreads callerRuns() {
    return new TaskThreads(null, null, null);
  }

  /**
   * Waits for a started task's outcome, as a waiting handler's blocking {@link TaskHandler#run} does;
   * an interrupt cancels the task (its timer, its call) and is rethrown.
   */
  static TaskOutcome await(CompletableFuture<TaskOutcome> outcome) throws Exception {
    try {
      return outcome.get();
    } catch (InterruptedException e) {
      outcome.cancel(true);
      throw e;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }

  /**
   * Runs {@code work} on a {@code delegate-task-N} thread (held until it returns) with the caller's
   * MDC. Cancelling the returned future interrupts that thread, or keeps {@code work} from
   * starting.
   *
   * @throws RejectedExecutionException when every thread is taken or the runner is closing
   */
  CompletableFuture<TaskOutcome> blocking(Callable<TaskOutcome> work) {
    if (workers == null) {
      try {
        return CompletableFuture.completedFuture(work.call());
      } catch (Exception e) {
        return CompletableFuture.failedFuture(e);
      }
    }
    CompletableFuture<TaskOutcome> outcome = new CompletableFuture<>();
    Future<?> thread = workers.submit(withMdc(MDC.getCopyOfContextMap(), () -> {
      if (outcome.isDone()) {
        return; // cancelled before a thread was free
      }
      try {
        outcome.complete(work.call());
      } catch (InterruptedException e) {
        outcome.completeExceptionally(e);
        Thread.currentThread().interrupt();
      } catch (Exception | Error e) {
        outcome.completeExceptionally(e);
      }
    }));
    outcome.whenComplete((result, error) -> {
      if (outcome.isCancelled()) {
        thread.cancel(true);
      }
    });
    return outcome;
  }

  /**
   * Where a handler runs its callbacks (a gRPC call's, a result's mapping): a {@code
   * delegate-task-async-N} thread with the MDC of the thread calling this method. When the runner is
   * closing (or, never expected, its queue is full) a callback runs on the thread that submits it, so
   * it is never lost.
   */
  public Executor callbacks() {
    Map<String, String> context = MDC.getCopyOfContextMap();
    return command -> {
      Runnable withContext = withMdc(context, command);
      if (async == null) {
        withContext.run();
        return;
      }
      try {
        async.execute(withContext);
      } catch (RejectedExecutionException e) {
        withContext.run();
      }
    };
  }

  /**
   * A shared scheduler ({@code delegate-task-timeout-1}) for the timers of waiting tasks; what it
   * runs must be short (complete a future). Cancel a timer when its task's future is cancelled.
   */
  public ScheduledExecutorService scheduler() {
    if (scheduler == null) {
      throw new IllegalStateException("No scheduler outside a task runner");
    }
    return scheduler;
  }

  /** {@code command} run with {@code context} as the MDC, the thread's own restored afterwards. */
  static Runnable withMdc(Map<String, String> context, Runnable command) {
    return () -> {
      Map<String, String> previous = MDC.getCopyOfContextMap();
      if (context == null) {
        MDC.clear();
      } else {
        MDC.setContextMap(context);
      }
      try {
        command.run();
      } finally {
        if (previous == null) {
          MDC.clear();
        } else {
          MDC.setContextMap(previous);
        }
      }
    };
  }
}
