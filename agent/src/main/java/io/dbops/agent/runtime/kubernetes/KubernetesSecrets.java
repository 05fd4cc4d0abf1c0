package io.dbops.agent.runtime.kubernetes;

import io.dbops.agent.secrets.KubernetesSecretReader;
import io.dbops.agent.secrets.SecretResolutionException;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * {@code kubernetes:SECRET/KEY} secret sources: one {@code get} of the Secret in the delegate's own
 * namespace. Thread-safe; the client is the caller's.
 */
public final class KubernetesSecrets implements KubernetesSecretReader {
  private final KubernetesClient client;
  private final String namespace;

  /** @param namespace the delegate's own namespace */
  public KubernetesSecrets(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  @Override
  public Optional<String> read(String secret, String key) throws SecretResolutionException {
    Secret found;
    try {
      found = client.secrets().inNamespace(namespace).withName(secret).get();
    } catch (KubernetesClientException e) {
      throw new SecretResolutionException("Cannot read Secret " + secret + " in namespace " + namespace + " (HTTP "
          + e.getCode() + (e.getCode() == 403 ? "): the delegate's service account may not get secrets there;"
          + " see docs/kubernetes.md (RBAC)" : "): " + e.getClass().getSimpleName()));
    }
    if (found == null) {
      return Optional.empty();
    }
    if (found.getData() != null && found.getData().containsKey(key)) {
      return Optional.of(new String(Base64.getDecoder().decode(found.getData().get(key)), StandardCharsets.UTF_8));
    }
    if (found.getStringData() != null && found.getStringData().containsKey(key)) {
      return Optional.of(found.getStringData().get(key));
    }
    return Optional.empty();
  }
}
