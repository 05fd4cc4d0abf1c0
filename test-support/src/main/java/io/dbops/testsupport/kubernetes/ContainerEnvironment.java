package io.dbops.testsupport.kubernetes;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a simulated kubelet gives a container it runs as a local process, as a kubelet would: the
 * spec's environment, plain values as written and {@code secretKeyRef}s read from the Secret's
 * base64 data (nothing of the test JVM's environment), and its volumes as host directories {@code
 * <podRoot>/<volume>}, an environment value naming a mount path being rewritten to that directory
 * (a process cannot be given its own {@code /workspace}). Used by the simulated kubelets of the
 * agent's tests (mock API) and of deploy-tests (real API server). Needs Fabric8 on the test class
 * path (test-support's dependency on it is optional).
 *
 * @param env the environment the process gets
 * @param workDir the directory standing in for the container's {@code workingDir} when it is a
 *     mount path, otherwise null
 */
public record ContainerEnvironment(Map<String, String> env, Path workDir) {
  /** A {@code secretKeyRef} that names a missing Secret or key: a kubelet's {@code CreateContainerConfigError}. */
  public static final class MissingSecretKey extends Exception {
    private static final long serialVersionUID = 1L;

    MissingSecretKey(String message) {
      super(message);
    }
  }

  /**
   * The environment and volumes of {@code container} of a pod in {@code namespace}.
   *
   * @param podRoot the host directory holding the pod's volumes (created as needed)
   */
  public static ContainerEnvironment of(KubernetesClient client, String namespace, Container container, Path podRoot)
      throws MissingSecretKey, IOException {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar var : container.getEnv()) {
      if (var.getValueFrom() != null && var.getValueFrom().getSecretKeyRef() != null) {
        SecretKeySelector ref = var.getValueFrom().getSecretKeyRef();
        String value = secretValue(client, namespace, ref);
        if (value == null) {
          throw new MissingSecretKey("couldn't find key " + ref.getKey() + " in Secret " + namespace + "/"
              + ref.getName());
        }
        env.put(var.getName(), value);
      } else {
        env.put(var.getName(), var.getValue() == null ? "" : var.getValue());
      }
    }
    Path workDir = null;
    for (VolumeMount mount : container.getVolumeMounts()) {
      Path volume = Files.createDirectories(podRoot.resolve(mount.getName()));
      env.replaceAll((variable, value) -> value.equals(mount.getMountPath()) ? volume.toString() : value);
      if (mount.getMountPath().equals(container.getWorkingDir())) {
        workDir = volume;
      }
    }
    return new ContainerEnvironment(Map.copyOf(env), workDir);
  }

  /** The decoded value of a Secret's key, or null when the Secret or key is missing. */
  public static String secretValue(KubernetesClient client, String namespace, SecretKeySelector ref) {
    Secret secret = client.secrets().inNamespace(namespace).withName(ref.getName()).get();
    if (secret == null || secret.getData() == null || !secret.getData().containsKey(ref.getKey())) {
      return null;
    }
    return new String(Base64.getDecoder().decode(secret.getData().get(ref.getKey())), StandardCharsets.UTF_8);
  }
}
