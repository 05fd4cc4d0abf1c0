package io.dbops.protocol;

import java.util.List;
import java.util.Map;

/**
 * Payload of an {@link TaskTypes#INIT_STAGE} task: the shape of the build pod of one stage.
 *
 * @param podName name of the pod to create; unique per stage run
 * @param image the image of every container (one distribution serves every role)
 * @param stepContainers number of steps of the stage; steps of the same image share one step
 *     container (one per distinct image, ports 20002 and up), which runs them one after another
 * @param env plain environment of the step containers; never holds secret values
 * @param secretEnv environment variables whose values are secrets, resolved by the delegate
 * @param timeoutSeconds the most the pod may live ({@code activeDeadlineSeconds})
 * @param pod Kubernetes settings of the pod; never null ({@link PodSettings#DEFAULTS} when absent)
 * @param stepImages the image of each step, in step order; a missing or blank entry (and an empty
 *     list, as an older control plane sends) means {@code image}. Steps with the same image share
 *     a container; a step that needs another image gets a container of its own.
 * @param reuseKey null, or the key under which a delegate may keep this pod after its cleanup and
 *     serve a later stage with the same key with it (the targets of one rollout stage, in sequence;
 *     see "Warm pods" in docs/protocol.md); only the local runtime reuses pods, and only when its
 *     settings allow it. A delegate that does not know the field ignores it.
 */
public record InitStagePayload(
    String executionId,
    String stageName,
    String podName,
    String image,
    int stepContainers,
    Map<String, String> env,
    List<SecretEnv> secretEnv,
    int timeoutSeconds,
    PodSettings pod,
    List<String> stepImages,
    String reuseKey) {
  public InitStagePayload {
    env = env == null ? Map.of() : Map.copyOf(env);
    stepImages = stepImages == null ? List.of()
        : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(stepImages));
    secretEnv = secretEnv == null ? List.of() : List.copyOf(secretEnv);
    pod = pod == null ? PodSettings.DEFAULTS : pod;
  }

  /** A payload that no later stage may reuse. */
  public InitStagePayload(String executionId, String stageName, String podName, String image,
      int stepContainers, Map<String, String> env, List<SecretEnv> secretEnv, int timeoutSeconds,
      PodSettings pod, List<String> stepImages) {
    this(executionId, stageName, podName, image, stepContainers, env, secretEnv, timeoutSeconds, pod, stepImages,
        null);
  }

  /** A payload whose steps all run the pod's {@code image}. */
  public InitStagePayload(String executionId, String stageName, String podName, String image,
      int stepContainers, Map<String, String> env, List<SecretEnv> secretEnv, int timeoutSeconds,
      PodSettings pod) {
    this(executionId, stageName, podName, image, stepContainers, env, secretEnv, timeoutSeconds, pod, null);
  }

  /** A payload with default pod settings. */
  public InitStagePayload(String executionId, String stageName, String podName, String image,
      int stepContainers, Map<String, String> env, List<SecretEnv> secretEnv, int timeoutSeconds) {
    this(executionId, stageName, podName, image, stepContainers, env, secretEnv, timeoutSeconds, null, null);
  }

  /** This payload with the image of each step set ({@code stepImages}). */
  public InitStagePayload withStepImages(List<String> images) {
    return new InitStagePayload(executionId, stageName, podName, image, stepContainers, env, secretEnv,
        timeoutSeconds, pod, images, reuseKey);
  }

  /** This payload with {@code secretEnv} replaced (the control plane seals values at assignment). */
  public InitStagePayload withSecretEnv(List<SecretEnv> replaced) {
    return new InitStagePayload(executionId, stageName, podName, image, stepContainers, env, replaced,
        timeoutSeconds, pod, stepImages, reuseKey);
  }

  /** This payload with {@code reuseKey} set (null: not reusable). */
  public InitStagePayload withReuseKey(String key) {
    return new InitStagePayload(executionId, stageName, podName, image, stepContainers, env, secretEnv,
        timeoutSeconds, pod, stepImages, key);
  }

  /**
   * A secret environment variable of the step containers.
   *
   * @param name the variable the step container reads, for example {@code DBOPS_DB_PASSWORD}
   * @param source where the value comes from, as {@link io.dbops.secrets.SecretSource} parses it;
   *     {@code env:}, {@code file:} and {@code kubernetes:} sources are resolved by the delegate
   *     and never leave the customer network
   * @param sealed for a store expression ({@code <+secrets.getValue("name")>}) only: the value
   *     sealed to the delegate instance the task is assigned to ({@link io.dbops.secrets.SealedBox},
   *     associated data = the task id). Added by the control plane when it assigns the task and
   *     never stored in the task record; null otherwise.
   */
  public record SecretEnv(String name, String source, String sealed) {
    public SecretEnv(String name, String source) {
      this(name, source, null);
    }

    /** Never prints the sealed value. */
    @Override
    public String toString() {
      return "SecretEnv[name=" + name + ", source=" + source + (sealed == null ? "]" : ", sealed]");
    }
  }

  /**
   * Kubernetes settings of the build pod (ignored by the local runtime, except resources).
   *
   * @param serviceAccount service account of the pod; null for the namespace default
   * @param nodeSelector node labels the pod must land on
   * @param tolerations taints the pod tolerates
   * @param imagePullPolicy Always, IfNotPresent or Never; null for the cluster default
   * @param registryCredentials credentials for pulling the image, each become a
   *     {@code kubernetes.io/dockerconfigjson} Secret referenced by {@code imagePullSecrets}
   * @param stepResources requests and limits of each step, in step order; missing entries take
   *     the runtime's defaults. A container shared by several steps gets, per value, the largest
   *     of its steps' (they run one after another; no limit on one step means none on the container)
   */
  public record PodSettings(
      String serviceAccount,
      Map<String, String> nodeSelector,
      List<Toleration> tolerations,
      String imagePullPolicy,
      List<RegistryCredential> registryCredentials,
      List<Resources> stepResources) {
    public static final PodSettings DEFAULTS = new PodSettings(null, null, null, null, null, null);

    public PodSettings {
      nodeSelector = nodeSelector == null ? Map.of() : Map.copyOf(nodeSelector);
      tolerations = tolerations == null ? List.of() : List.copyOf(tolerations);
      registryCredentials = registryCredentials == null ? List.of() : List.copyOf(registryCredentials);
      stepResources = stepResources == null ? List.of() : List.copyOf(stepResources);
    }
  }

  /** A Kubernetes toleration; see the Kubernetes API for the meaning of each field. */
  public record Toleration(String key, String operator, String value, String effect, Long tolerationSeconds) {}

  /**
   * Requests and limits in Kubernetes quantities ({@code 250m}, {@code 512Mi}); null for none.
   */
  public record Resources(String cpuRequest, String memoryRequest, String cpuLimit, String memoryLimit) {}

  /**
   * Credentials of an image registry.
   *
   * @param registry host of the registry, for example {@code registry.example.com}
   * @param username registry user
   * @param password the password, as a secret ({@link SecretEnv#name()} is unused and may be null)
   */
  public record RegistryCredential(String registry, String username, SecretEnv password) {}
}
