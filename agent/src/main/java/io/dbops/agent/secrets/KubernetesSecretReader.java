package io.dbops.agent.secrets;

import java.util.Optional;

/** Reads one key of a Kubernetes Secret in the delegate's own namespace. */
@FunctionalInterface
public interface KubernetesSecretReader {
  /** Refuses every {@code kubernetes:} source: the delegate has no Kubernetes API access. */
  KubernetesSecretReader NONE = (secret, key) -> {
    throw new SecretResolutionException("Secret source kubernetes:" + secret + "/" + key
        + " needs the Kubernetes API; run the delegate with DBOPS_RUNTIME=kubernetes");
  };

  /**
   * The value of {@code key} in Secret {@code secret}, or empty when the Secret or key is missing.
   *
   * @throws SecretResolutionException when the API cannot be asked (forbidden, unreachable)
   */
  Optional<String> read(String secret, String key) throws SecretResolutionException;
}
