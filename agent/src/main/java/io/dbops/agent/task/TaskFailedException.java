package io.dbops.agent.task;

/** A task failed for a reason the message explains to an operator; reported as the task's error. */
public final class TaskFailedException extends Exception {
  private static final long serialVersionUID = 1L;

  public TaskFailedException(String message) {
    super(message);
  }

  public TaskFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
