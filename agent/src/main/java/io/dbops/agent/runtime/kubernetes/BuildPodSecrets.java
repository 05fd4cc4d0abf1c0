package io.dbops.agent.runtime.kubernetes;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.dbops.agent.secrets.PodCredentials;
import io.dbops.agent.secrets.PodSecrets;
import io.dbops.protocol.InitStagePayload;
import io.dbops.protocol.InitStagePayload.RegistryCredential;
import io.dbops.support.Json;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Secrets of one build pod (pure; no API calls):
 *
 * <ul>
 *   <li>{@code <pod>-env}, type Opaque, one key per secret environment variable, named exactly as
 *       the variable ({@code DBOPS_DB_PASSWORD} → key {@code DBOPS_DB_PASSWORD}), and the pod's
 *       credential (key {@code DBOPS_POD_TOKEN}); always present. Containers reference it with
 *       {@code secretKeyRef}.
 *   <li>{@code <pod>-registry-<n>} (n from 1, in the order of the task's registry credentials),
 *       type {@code kubernetes.io/dockerconfigjson}, key {@code .dockerconfigjson}; the pod names
 *       them in {@code imagePullSecrets}.
 * </ul>
 *
 * Values are base64 in {@code data} (not {@code stringData}), as the API server stores them.
 */
final class BuildPodSecrets {
  static final String TYPE_OPAQUE = "Opaque";
  static final String TYPE_DOCKER_CONFIG = "kubernetes.io/dockerconfigjson";
  static final String DOCKER_CONFIG_KEY = ".dockerconfigjson";

  private BuildPodSecrets() {}

  static String envSecretName(String podName) {
    return podName + "-env";
  }

  static String registrySecretName(String podName, int n) {
    return podName + "-registry-" + n;
  }

  /** The names of the registry Secrets of the pod, in order ({@code imagePullSecrets}). */
  static List<String> registrySecretNames(InitStagePayload payload) {
    List<String> names = new ArrayList<>();
    for (int i = 1; i <= payload.pod().registryCredentials().size(); i++) {
      names.add(registrySecretName(payload.podName(), i));
    }
    return names;
  }

  /**
   * The env Secret and then the registry Secrets.
   *
   * @param labels labels of every Secret; {@link PodLabels#PART} is added
   * @param annotations annotations of every Secret (the lease, the pod)
   */
  static List<Secret> of(InitStagePayload payload, PodSecrets secrets, String namespace, Map<String, String> labels,
      Map<String, String> annotations) {
    List<Secret> all = new ArrayList<>();
    Map<String, String> data = new LinkedHashMap<>();
    for (InitStagePayload.SecretEnv variable : payload.secretEnv()) {
      String value = secrets.env().get(variable.name());
      if (value != null) {
        data.put(variable.name(), base64(value));
      }
    }
    data.put(PodCredentials.VARIABLE, base64(secrets.podToken()));
    all.add(secret(envSecretName(payload.podName()), namespace, TYPE_OPAQUE, "env", data, labels, annotations));
    List<RegistryCredential> credentials = payload.pod().registryCredentials();
    for (int i = 0; i < credentials.size(); i++) {
      RegistryCredential credential = credentials.get(i);
      String password = i < secrets.registryPasswords().size() ? secrets.registryPasswords().get(i) : "";
      all.add(secret(registrySecretName(payload.podName(), i + 1), namespace, TYPE_DOCKER_CONFIG, "registry",
          Map.of(DOCKER_CONFIG_KEY, base64(dockerConfig(credential, password))), labels, annotations));
    }
    return all;
  }

  private static Secret secret(String name, String namespace, String type, String part, Map<String, String> data,
      Map<String, String> labels, Map<String, String> annotations) {
    Map<String, String> withPart = new LinkedHashMap<>(labels);
    withPart.put(PodLabels.PART, part);
    return new SecretBuilder()
        .withNewMetadata().withName(name).withNamespace(namespace).withLabels(withPart)
        .withAnnotations(annotations).endMetadata()
        .withType(type)
        .withImmutable(true)
        .withData(data)
        .build();
  }

  /** {"auths": {"<registry>": {"username", "password", "auth": base64(user:password)}}}. */
  private static String dockerConfig(RegistryCredential credential, String password) {
    String user = credential.username() == null ? "" : credential.username();
    Map<String, String> entry = new LinkedHashMap<>();
    entry.put("username", user);
    entry.put("password", password);
    entry.put("auth", base64(user + ":" + password));
    try {
      return Json.mapper().writeValueAsString(Map.of("auths", Map.of(credential.registry(), entry)));
    } catch (JsonProcessingException e) {
      // a map of strings always serialises; never echo the entry, it holds the password
      throw new IllegalStateException("Cannot write the docker config of registry " + credential.registry());
    }
  }

  private static String base64(String value) {
    return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
  }
}
