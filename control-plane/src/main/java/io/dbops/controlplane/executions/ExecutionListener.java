package io.dbops.controlplane.executions;

import io.dbops.api.ExecutionView;

/**
 * Told what happens to executions, for features that react to runs without being part of the state
 * machine (migration state, notifications, rollouts). Called on the orchestrator's one thread after
 * the change was saved: keep each call short and hand slow work to your own thread. An exception is
 * logged and otherwise ignored; it never changes the execution.
 */
public interface ExecutionListener {
  /** A step (or a stage's recovery rollback) finished, succeeded or not, with its output. */
  default void stepFinished(StepFinished event) {}

  /** The execution now waits for an approval (status WAITING_APPROVAL). */
  default void approvalWaiting(ExecutionView execution) {}

  /** A stage paused after a failed step (onFailure: pause); the execution waits for an operator. */
  default void paused(ExecutionView execution) {}

  /** The execution finished: SUCCEEDED or FAILED (aborts included). */
  default void finished(ExecutionView execution) {}
}
