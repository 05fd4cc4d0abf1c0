package io.dbops.agent.task;

import io.dbops.support.NamedThreadFactory;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The threads of a {@link TaskRunner}: its own (created at start) in production, deterministic
 * ones in unit tests, so that races (claim vs abort, drain vs claim, timeout vs result) are
 * reproducible.
 *
 * @param workers runs blocking handlers ({@code delegate-task-N}), one thread per running task of
 *     such a handler; rejects beyond capacity
 * @param async starts every task and finishes it (maps its result, writes the outbox, sends it)
 *     ({@code delegate-task-async-N}, a few threads whatever the number of tasks)
 * @param timeouts fires task timeouts and the timers of waiting handlers ({@code
 *     delegate-task-timeout-1})
 * @param checks runs reachability checks ({@code delegate-reachability-N})
 */
record TaskExecutors(ExecutorService workers, ExecutorService async, ScheduledExecutorService timeouts,
    ExecutorService checks) {
  /** How long an idle task thread lives before it ends and gives its memory back. */
  static final long IDLE_THREAD_SECONDS = 10;
  /** Threads that start and finish tasks: their work is short (no wait), so two keep up with bursts. */
  static final int ASYNC_THREADS = 2;

  /** The production threads for {@code capacity} tasks. */
  static TaskExecutors standard(int capacity) {
    // The queue only absorbs the moment between a task finishing and its thread becoming free:
    // claims never exceed capacity, so more than `capacity` queued tasks would be a protocol error.
    // A running blocking task holds its thread (about 120 KiB of stack and VM structures each); an
    // idle thread ends after IDLE_THREAD_SECONDS, so a burst of tasks does not keep its memory.
    ThreadPoolExecutor workers = new ThreadPoolExecutor(capacity, capacity, IDLE_THREAD_SECONDS,
        TimeUnit.SECONDS, new ArrayBlockingQueue<>(capacity), new NamedThreadFactory("delegate-task", true),
        new ThreadPoolExecutor.AbortPolicy());
    workers.allowCoreThreadTimeOut(true);
    // Per task at most one start, one finish and the few callbacks of one gRPC call wait here at a
    // time, so 4 × capacity is never reached in practice; a finish that is refused anyway runs on the
    // thread that completed the task (TaskThreads#callbacks), so no result is lost.
    ThreadPoolExecutor async = new ThreadPoolExecutor(ASYNC_THREADS, ASYNC_THREADS, IDLE_THREAD_SECONDS,
        TimeUnit.SECONDS, new ArrayBlockingQueue<>(4 * capacity + 16),
        new NamedThreadFactory("delegate-task-async", true), new ThreadPoolExecutor.AbortPolicy());
    async.allowCoreThreadTimeOut(true);
    // Removes cancelled timers at once: a finished task's timeout (or an aborted no-op's timer) would
    // otherwise stay queued until it was due.
    ScheduledThreadPoolExecutor timeouts = new ScheduledThreadPoolExecutor(1,
        new NamedThreadFactory("delegate-task-timeout", true));
    timeouts.setRemoveOnCancelPolicy(true);
    return new TaskExecutors(workers, async, timeouts,
        Executors.newFixedThreadPool(Math.min(capacity, 4), new NamedThreadFactory("delegate-reachability", true)));
  }
}
