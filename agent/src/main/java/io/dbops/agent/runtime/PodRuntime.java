package io.dbops.agent.runtime;

import io.dbops.protocol.InitStageOutput;
import io.dbops.protocol.InitStagePayload;

/**
 * Creates and deletes build pods. Implementations are thread-safe: several init and cleanup tasks
 * run at once. {@link #close} stops every pod the runtime started and is idempotent.
 */
public interface PodRuntime extends AutoCloseable {
  /**
   * Starts the pod and waits until its lite engine and every step container are ready.
   *
   * @throws PodException with an operator-facing message when the pod cannot be started
   */
  InitStageOutput start(InitStagePayload pod) throws PodException, InterruptedException;

  /** Stops and deletes the pod. Idempotent: an unknown pod is already stopped. */
  void stop(String podName) throws InterruptedException;

  @Override
  void close();
}
