package io.dbops.agent.task;

import io.dbops.support.NamedThreadFactory;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The threads of a {@link TaskRunner}: its own (created at start) in production, deterministic
 * ones in unit tests, so that races (claim vs abort, drain vs claim, timeout vs result) are
 * reproducible.
 *
 * @param workers runs tasks ({@code delegate-task-N}); rejects beyond capacity
 * @param timeouts fires task timeouts ({@code delegate-task-timeout-1})
 * @param checks runs reachability checks ({@code delegate-reachability-N})
 */
record TaskExecutors(ExecutorService workers, ScheduledExecutorService timeouts, ExecutorService checks) {
  /** How long an idle task thread lives before it ends and gives its memory back. */
  static final long IDLE_THREAD_SECONDS = 10;

  /** The production threads for {@code capacity} tasks. */
  static TaskExecutors standard(int capacity) {
    // The queue only absorbs the moment between a task finishing and its thread becoming free:
    // claims never exceed capacity, so more than `capacity` queued tasks would be a protocol error.
    // A running task holds its thread (about 120 KiB of stack and VM structures each); an idle
    // thread ends after IDLE_THREAD_SECONDS, so a burst of tasks does not keep its memory afterwards.
    ThreadPoolExecutor workers = new ThreadPoolExecutor(capacity, capacity, IDLE_THREAD_SECONDS,
        TimeUnit.SECONDS, new ArrayBlockingQueue<>(capacity), new NamedThreadFactory("delegate-task", true),
        new ThreadPoolExecutor.AbortPolicy());
    workers.allowCoreThreadTimeOut(true);
    return new TaskExecutors(workers,
        Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory("delegate-task-timeout", true)),
        Executors.newFixedThreadPool(Math.min(capacity, 4), new NamedThreadFactory("delegate-reachability", true)));
  }
}
