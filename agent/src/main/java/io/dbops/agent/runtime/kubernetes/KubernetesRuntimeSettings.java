package io.dbops.agent.runtime.kubernetes;

import java.time.Duration;
import java.util.Map;

/**
 * Settings of the {@link KubernetesPodRuntime}.
 *
 * @param namespace namespace of build pods and their Secrets
 * @param defaultImage image of pods whose task names none, or null
 * @param defaultServiceAccount service account of pods whose task names none, or null
 * @param delegateName this delegate's name ({@code dbops.io/delegate} label; shared by its replicas)
 * @param instanceId this process's instance id ({@code dbops.io/delegate-instance} label)
 * @param basePort the lite engine's port; step containers listen on the following ports. 20001 in
 *     a real cluster; tests whose simulated kubelet runs containers on one host pick a free range
 * @param readyTimeout how long a pod may take to become ready
 * @param lease how long a pod outlives a delegate that stops renewing it ({@code dbops.io/lease-expires})
 * @param renewEvery how often the lease is renewed; well below {@code lease}
 * @param sweepEvery how often lapsed pods and Secrets of this delegate are deleted
 * @param stepSettings environment variables every step container gets ({@code DBOPS_STEP_*}
 *     settings forwarded from the delegate)
 */
public record KubernetesRuntimeSettings(
    String namespace,
    String defaultImage,
    String defaultServiceAccount,
    String delegateName,
    String instanceId,
    int basePort,
    Duration readyTimeout,
    Duration lease,
    Duration renewEvery,
    Duration sweepEvery,
    Map<String, String> stepSettings) {
  /** The lite engine's port in every real build pod. */
  public static final int DEFAULT_BASE_PORT = 20001;
  public static final Duration DEFAULT_LEASE = Duration.ofMinutes(5);
  public static final Duration DEFAULT_RENEW_EVERY = Duration.ofMinutes(1);
  public static final Duration DEFAULT_SWEEP_EVERY = Duration.ofMinutes(5);

  public KubernetesRuntimeSettings {
    stepSettings = stepSettings == null ? Map.of() : Map.copyOf(stepSettings);
    if (basePort < 1 || basePort > 65000) {
      throw new IllegalArgumentException("basePort must be 1-65000, got " + basePort);
    }
    if (renewEvery.compareTo(lease) >= 0) {
      throw new IllegalArgumentException("renewEvery (" + renewEvery + ") must be shorter than lease (" + lease + ")");
    }
  }

  /** Production settings: port 20001, a 5 min lease renewed every minute, a sweep every 5 min. */
  public static KubernetesRuntimeSettings of(String namespace, String defaultImage, String defaultServiceAccount,
      String delegateName, String instanceId, Duration readyTimeout) {
    return new KubernetesRuntimeSettings(namespace, defaultImage, defaultServiceAccount, delegateName, instanceId,
        DEFAULT_BASE_PORT, readyTimeout, DEFAULT_LEASE, DEFAULT_RENEW_EVERY, DEFAULT_SWEEP_EVERY, Map.of());
  }

  /** These settings with another base port (tests). */
  public KubernetesRuntimeSettings withBasePort(int port) {
    return new KubernetesRuntimeSettings(namespace, defaultImage, defaultServiceAccount, delegateName, instanceId,
        port, readyTimeout, lease, renewEvery, sweepEvery, stepSettings);
  }

  /** These settings with other lease timings (tests). */
  public KubernetesRuntimeSettings withLease(Duration lease, Duration renewEvery, Duration sweepEvery) {
    return new KubernetesRuntimeSettings(namespace, defaultImage, defaultServiceAccount, delegateName, instanceId,
        basePort, readyTimeout, lease, renewEvery, sweepEvery, stepSettings);
  }

  /** These settings with another readiness deadline (tests). */
  public KubernetesRuntimeSettings withReadyTimeout(Duration timeout) {
    return new KubernetesRuntimeSettings(namespace, defaultImage, defaultServiceAccount, delegateName, instanceId,
        basePort, timeout, lease, renewEvery, sweepEvery, stepSettings);
  }

  /** These settings with the given step container settings. */
  public KubernetesRuntimeSettings withStepSettings(Map<String, String> settings) {
    return new KubernetesRuntimeSettings(namespace, defaultImage, defaultServiceAccount, delegateName, instanceId,
        basePort, readyTimeout, lease, renewEvery, sweepEvery, settings);
  }
}
