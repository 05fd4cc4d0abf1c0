package io.dbops.controlplane.queue;

/** Told about queue changes. Called on the thread that made the change; must not block long. */
public interface TaskListener {
  /** A task was queued and may be offered. */
  default void taskQueued(Task task) {}

  /** A task reached SUCCEEDED or FAILED (stored once; duplicates are not reported). */
  default void taskFinished(Task task) {}
}
