package io.dbops.pipeline;

import java.util.List;
import java.util.Map;

/**
 * Kubernetes settings of a stage's build pod ({@code pod:} in the pipeline file); the local
 * runtime ignores them. Mapped into {@code InitStagePayload.PodSettings}.
 *
 * @param serviceAccount service account of the pod; null for the namespace default
 * @param nodeSelector node labels the pod must land on
 * @param tolerations taints the pod tolerates
 * @param imagePullPolicy Always, IfNotPresent or Never; null for the cluster default
 * @param registryCredentials logins for pulling the image; each password is a secret source
 */
public record StagePod(
    String serviceAccount,
    Map<String, String> nodeSelector,
    List<Toleration> tolerations,
    String imagePullPolicy,
    List<RegistryCredential> registryCredentials) {
  public StagePod {
    nodeSelector = nodeSelector == null ? Map.of() : Map.copyOf(nodeSelector);
    tolerations = tolerations == null ? List.of() : List.copyOf(tolerations);
    registryCredentials = registryCredentials == null ? List.of() : List.copyOf(registryCredentials);
  }

  /** A Kubernetes toleration; see the Kubernetes API for each field. */
  public record Toleration(String key, String operator, String value, String effect, Long tolerationSeconds) {}

  /**
   * A login to an image registry.
   *
   * @param registry host of the registry, for example {@code registry.example.com}
   * @param passwordFrom where the password comes from, like {@link Database#passwordFrom()}
   */
  public record RegistryCredential(String registry, String username, String passwordFrom) {}
}
