package io.dbops.agent.task;

import io.dbops.secrets.Masker;

import io.dbops.protocol.Frame;
import java.util.concurrent.CompletableFuture;

/**
 * Runs the tasks of one type. The task runner calls {@link #start}; a handler implements it in one
 * of two ways:
 *
 * <ul>
 *   <li>blocking, the default {@link #start} calling {@link #run}: runs on a {@code
 *       delegate-task-N} thread held for the task's whole duration; must honour interrupts (the task's timeout, an abort and delegate shutdown
 *       interrupt it). Right for work bounded by something else (a pod's start or stop).
 *   <li>waiting, overriding {@link #start}: returns once the task's wait has begun and completes the
 *       future from a callback (a timer of {@link TaskThreads#scheduler}, a gRPC response), so the
 *       task holds no thread while it waits; cancelling the future (timeout, abort, shutdown) must
 *       end the wait (cancel the timer, the call).
 * </ul>
 *
 * <p>An operator-facing failure is a {@link TaskOutcome#failed} outcome or a {@link
 * TaskFailedException} (thrown, or completing the future); anything else is a bug.
 */
public interface TaskHandler {
  /** The task type handled, one of {@link io.dbops.protocol.TaskTypes#ALL}. */
  String taskType();

  /**
   * Runs the task, blocking. The runner calls it only through the default {@link #start}; a waiting
   * handler implements it too, starting the task and waiting for it, for callers outside a runner
   * (tests, fixtures).
   */
  TaskOutcome run(Frame.TaskAssigned task) throws Exception;

  /**
   * Starts the task, on a {@code delegate-task-async-N} thread with the task's MDC, and returns its
   * outcome. The default runs {@link #run} on a {@code delegate-task-N} thread ({@link
   * TaskThreads#blocking}); cancelling its future interrupts that thread.
   */
  default CompletableFuture<TaskOutcome> start(Frame.TaskAssigned task, TaskThreads threads) throws Exception {
    return threads.blocking(() -> run(task));
  }

  /**
   * The masker of the secrets {@code task} touches (its build pod's), applied by the runner to
   * every error and exception text of the task before it is reported or logged.
   */
  default Masker masker(Frame.TaskAssigned task) {
    return Masker.NONE;
  }

  /** The {@code podName} of a task payload, or null. */
  static String podName(Frame.TaskAssigned task) {
    var node = task.payload() == null ? null : task.payload().get("podName");
    return node == null || !node.isTextual() ? null : node.asText();
  }
}
