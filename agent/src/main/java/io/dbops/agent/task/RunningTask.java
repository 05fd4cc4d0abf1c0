package io.dbops.agent.task;

import io.dbops.protocol.Frame;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/** A task the {@link TaskRunner} runs: its assignment, its thread's future and its timeout. */
final class RunningTask {
  final Frame.TaskAssigned task;
  final long startedNanos = System.nanoTime();
  final AtomicBoolean finished = new AtomicBoolean();
  volatile Future<?> future;
  volatile ScheduledFuture<?> timeout;

  RunningTask(Frame.TaskAssigned task) {
    this.task = task;
  }

  /** Interrupts the task's thread (a gRPC blocking call is cancelled by the interrupt). */
  void cancel() {
    Future<?> f = future;
    if (f != null) {
      f.cancel(true);
    }
  }
}
