package io.dbops.protocol;

/** Final status of a task reported by a delegate. */
public enum TaskStatus {
  SUCCEEDED,
  FAILED
}
