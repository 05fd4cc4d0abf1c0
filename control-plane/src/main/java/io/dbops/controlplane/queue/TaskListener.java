package io.dbops.controlplane.queue;

/** Told about queue changes. Called on the thread that made the change; must not block long. */
public interface TaskListener {
  /** A task was queued and may be offered. */
  default void taskQueued(Task task) {}

  /**
   * A RUNNING task was queued again (its lease lapsed or its delegate released it); {@code task}
   * is the new QUEUED state, {@code previousInstance} the instance that held it.
   */
  default void taskRequeued(Task task, String previousInstance) {}

  /** A task reached SUCCEEDED or FAILED (stored once; duplicates are not reported). */
  default void taskFinished(Task task) {}

  /**
   * No live delegate can take the QUEUED {@code task} (first noticed now): {@code reasons} names
   * each live delegate with why not ({@code name (instance id): why}; empty when none is
   * connected); the task fails at {@code failsAt} (epoch ms) unless one appears.
   */
  default void taskUnmatched(Task task, java.util.List<String> reasons, long failsAt) {}

  /** An abort was requested for a RUNNING task; {@code task.abortReason()} says why. */
  default void taskAbortRequested(Task task) {}
}
