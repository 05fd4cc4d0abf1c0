package io.dbops.agent.task;

import io.dbops.protocol.Frame;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/** A task the {@link TaskRunner} runs: its assignment, its handler's outcome and its timeout. */
final class RunningTask {
  final Frame.TaskAssigned task;
  final long startedNanos = System.nanoTime();
  final AtomicBoolean finished = new AtomicBoolean();
  /** Set once the handler started; null while the task waits for a start thread. */
  volatile CompletableFuture<TaskOutcome> outcome;
  volatile ScheduledFuture<?> timeout;

  RunningTask(Frame.TaskAssigned task) {
    this.task = task;
  }

  /**
   * Stops the task: cancels its handler's future, which interrupts a blocking handler's thread and
   * ends a waiting handler's wait (its timer, its gRPC call). A task not started yet never starts
   * ({@link #finished} is set before this is called, and the start checks it after publishing
   * {@link #outcome}).
   */
  void cancel() {
    CompletableFuture<TaskOutcome> f = outcome;
    if (f != null) {
      f.cancel(true);
    }
  }
}
