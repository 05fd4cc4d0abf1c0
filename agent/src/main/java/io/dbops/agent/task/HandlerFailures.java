package io.dbops.agent.task;

import io.dbops.protocol.Frame;
import io.dbops.secrets.Masker;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The outcome reported for a task whose handler failed, whether it threw or completed exceptionally. */
final class HandlerFailures {
  /** The runner's logger: the line is the runner's report of the task. */
  private static final Logger log = LoggerFactory.getLogger(TaskRunner.class);

  private HandlerFailures() {}

  /**
   * The outcome of {@code failure} (null: the handler completed without an outcome, a bug); an
   * unexpected exception is logged here, masked, with its trace.
   *
   * @param load running tasks and capacity, for the error of a task refused a thread
   */
  static TaskOutcome outcome(Frame.TaskAssigned task, Throwable failure, Masker masker, String load) {
    if (failure instanceof TaskFailedException) {
      return TaskOutcome.failed(failure.getMessage(), null);
    }
    if (failure instanceof InterruptedException) {
      return TaskOutcome.failed(interrupted(task), null);
    }
    if (failure instanceof RejectedExecutionException) {
      return TaskOutcome.failed("Delegate is over capacity or shutting down " + load, null);
    }
    Throwable bug = failure != null ? failure
        : new IllegalStateException(task.taskType() + " handler completed without an outcome");
    // a bug, but its text may quote a secret (a JDK message quoting an environment value)
    MaskedException masked = MaskedException.of(bug, masker);
    log.error("Task {} ({}) failed unexpectedly", task.taskId(), task.taskType(), masked);
    return TaskOutcome.failed("The delegate failed while running " + task.taskType() + ": " + masked, null);
  }

  /** The error of a task stopped because the delegate closed. */
  static String interrupted(Frame.TaskAssigned task) {
    return "Task " + task.taskId() + " was interrupted: the delegate is shutting down";
  }
}
