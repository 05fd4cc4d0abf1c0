package io.dbops.agent.task;

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
}
