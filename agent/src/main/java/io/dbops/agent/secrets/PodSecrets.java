package io.dbops.agent.secrets;

import io.dbops.secrets.Masker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What one build pod gets beyond its payload, held in memory only: the resolved secret values,
 * its credential and the one log service its lite engine may ship to.
 *
 * @param env secret environment of the containers, by variable name
 * @param registryPasswords passwords of the payload's registry credentials, in the same order
 * @param podToken the pod's credential ({@link PodCredentials#VARIABLE}); every container gets it
 * @param logServiceUrl the only log service the pod's lite engine may ship to ({@code
 *     DBOPS_LOG_SERVICE_URL}; "off" for none); not a secret
 */
public record PodSecrets(Map<String, String> env, List<String> registryPasswords, String podToken,
    String logServiceUrl) {
  /** No secrets, a fresh credential, no log shipping. */
  public static final PodSecrets NONE = new PodSecrets(Map.of(), List.of());
  public static final String LOG_SHIPPING_OFF = "off";

  public PodSecrets {
    env = Map.copyOf(env);
    registryPasswords = List.copyOf(registryPasswords);
    podToken = podToken == null ? PodCredentials.newToken() : podToken;
    logServiceUrl = logServiceUrl == null || logServiceUrl.isBlank() ? LOG_SHIPPING_OFF : logServiceUrl;
  }

  /** Secrets with a fresh credential and no log shipping (runtimes' tests). */
  public PodSecrets(Map<String, String> env, List<String> registryPasswords) {
    this(env, registryPasswords, null, null);
  }

  /** These secrets with the pod's credential and its log service. */
  public PodSecrets withAccess(String token, String logServiceUrl) {
    return new PodSecrets(env, registryPasswords, token, logServiceUrl);
  }

  /** Every value, for masking. */
  public List<String> values() {
    List<String> all = new ArrayList<>(env.values());
    all.addAll(registryPasswords);
    all.add(podToken);
    return all;
  }

  /** A masker for every value of this pod. */
  public Masker masker() {
    return values().isEmpty() ? Masker.NONE : new Masker(values());
  }

  /** Names only: a pod's secrets never reach a log through toString. */
  @Override
  public String toString() {
    return "PodSecrets[env=" + env.keySet() + ", registryPasswords=" + registryPasswords.size()
        + ", podToken=***, logServiceUrl=" + logServiceUrl + "]";
  }
}
