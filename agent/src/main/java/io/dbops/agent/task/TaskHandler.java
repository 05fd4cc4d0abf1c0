package io.dbops.agent.task;

import io.dbops.secrets.Masker;

import io.dbops.protocol.Frame;

/**
 * Runs the tasks of one type. Called on a {@code delegate-task-N} thread; must honour interrupts
 * (the task's timeout and delegate shutdown interrupt it). An operator-facing failure is a {@link
 * TaskOutcome#failed} outcome or a {@link TaskFailedException}; anything else thrown is a bug.
 */
public interface TaskHandler {
  /** The task type handled, one of {@link io.dbops.protocol.TaskTypes#ALL}. */
  String taskType();

  TaskOutcome run(Frame.TaskAssigned task) throws Exception;

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
