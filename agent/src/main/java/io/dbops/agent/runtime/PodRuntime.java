package io.dbops.agent.runtime;

import io.dbops.agent.secrets.PodSecrets;
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
   * @param secrets the resolved values of {@code pod.secretEnv()} and of its registry credentials;
   *     they reach the containers only as environment (never a command line, a log or a pod spec)
   * @throws PodException with an operator-facing message when the pod cannot be started
   */
  InitStageOutput start(InitStagePayload pod, PodSecrets secrets) throws PodException, InterruptedException;

  /** Stops and deletes the pod. Idempotent: an unknown pod is already stopped. */
  void stop(String podName) throws InterruptedException;

  /**
   * Stops every pod this runtime started and still runs (a revoked delegate's pods); unlike
   * {@link #close} the runtime stays usable. Returns how many pods it stopped.
   */
  int stopAll() throws InterruptedException;

  /**
   * How many more pods this runtime can start now (the local runtime's {@code DBOPS_LOCAL_MAX_PODS}
   * less the pods it runs); the delegate claims no {@code init_stage} beyond it, so that another
   * delegate takes the stage instead of this one failing it. Unlimited by default.
   */
  default int podRoom() {
    return Integer.MAX_VALUE;
  }

  /**
   * Removes what earlier instances of this delegate left running (they were killed before they
   * could stop their pods), before this one connects; returns how many pods or processes it removed.
   * The Kubernetes runtime does it in its own start (lapsed leases).
   */
  default int removeLeftovers() {
    return 0;
  }

  /**
   * Starts what the runtime keeps ready ahead of stages (the local runtime's warm pods); call once,
   * after {@link #removeLeftovers}. The Kubernetes runtime keeps nothing (pods there are per stage).
   */
  default void warmUp() {}

  @Override
  void close();
}
