package io.dbops.agent.task;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.protocol.Frame;
import io.dbops.protocol.TaskTypes;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * noop: waits {@code sleepMillis} (default 0) and succeeds with output {@code {}}. The wait is a
 * timer of the runner's shared scheduler, so a waiting no-op holds no thread; cancelling the task
 * cancels its timer.
 */
final class NoopHandler implements TaskHandler {
  @Override
  public String taskType() {
    return TaskTypes.NOOP;
  }

  /** Blocking, for callers outside a task runner. */
  @Override
  public TaskOutcome run(Frame.TaskAssigned task) throws InterruptedException, TaskFailedException {
    Thread.sleep(sleepMillis(task));
    return TaskOutcome.succeeded(Map.of());
  }

  @Override
  public CompletableFuture<TaskOutcome> start(Frame.TaskAssigned task, TaskThreads threads) throws TaskFailedException {
    long millis = sleepMillis(task);
    if (millis == 0) {
      return CompletableFuture.completedFuture(TaskOutcome.succeeded(Map.of()));
    }
    CompletableFuture<TaskOutcome> outcome = new CompletableFuture<>();
    ScheduledFuture<?> timer = threads.scheduler().schedule(
        () -> outcome.complete(TaskOutcome.succeeded(Map.of())), millis, TimeUnit.MILLISECONDS);
    outcome.whenComplete((result, error) -> timer.cancel(false)); // a stopped task's timer goes at once
    return outcome;
  }

  private static long sleepMillis(Frame.TaskAssigned task) throws TaskFailedException {
    JsonNode sleep = task.payload() == null ? null : task.payload().get("sleepMillis");
    long millis = sleep == null || sleep.isNull() ? 0 : sleep.asLong(-1);
    if (millis < 0 || (sleep != null && !sleep.isNull() && !sleep.canConvertToLong())) {
      throw new TaskFailedException("noop payload sleepMillis must be a whole number ≥ 0, got " + sleep);
    }
    return millis;
  }
}
