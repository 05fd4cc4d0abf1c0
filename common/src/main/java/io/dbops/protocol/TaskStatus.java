package io.dbops.protocol;

/**
 * The status of a task: {@link #QUEUED} until a delegate claims it, {@link #RUNNING} while a
 * delegate holds it, then {@link #SUCCEEDED} or {@link #FAILED}. A delegate reports only a final
 * status in {@code task_result}; the control plane stores a task's status by its name.
 */
public enum TaskStatus {
  QUEUED,
  RUNNING,
  SUCCEEDED,
  FAILED;

  /** SUCCEEDED or FAILED. */
  public boolean isFinal() {
    return this == SUCCEEDED || this == FAILED;
  }
}
