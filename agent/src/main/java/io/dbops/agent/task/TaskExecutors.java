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
  /** The production threads for {@code capacity} tasks. */
  static TaskExecutors standard(int capacity) {
    // The queue only absorbs the moment between a task finishing and its thread becoming free:
    // claims never exceed capacity, so more than `capacity` queued tasks would be a protocol error.
    ExecutorService workers = new ThreadPoolExecutor(capacity, capacity, 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(capacity), new NamedThreadFactory("delegate-task", true),
        new ThreadPoolExecutor.AbortPolicy());
    return new TaskExecutors(workers,
        Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory("delegate-task-timeout", true)),
        Executors.newFixedThreadPool(Math.min(capacity, 4), new NamedThreadFactory("delegate-reachability", true)));
  }
}
