package io.dbops.agent.secrets;

import io.dbops.secrets.Masker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The resolved secret values of one build pod, held in memory only.
 *
 * @param env secret environment of the containers, by variable name
 * @param registryPasswords passwords of the payload's registry credentials, in the same order
 */
public record PodSecrets(Map<String, String> env, List<String> registryPasswords) {
  public static final PodSecrets NONE = new PodSecrets(Map.of(), List.of());

  public PodSecrets {
    env = Map.copyOf(env);
    registryPasswords = List.copyOf(registryPasswords);
  }

  /** Every value, for masking. */
  public List<String> values() {
    List<String> all = new ArrayList<>(env.values());
    all.addAll(registryPasswords);
    return all;
  }

  /** A masker for every value of this pod. */
  public Masker masker() {
    return values().isEmpty() ? Masker.NONE : new Masker(values());
  }

  /** Names only: a pod's secrets never reach a log through toString. */
  @Override
  public String toString() {
    return "PodSecrets[env=" + env.keySet() + ", registryPasswords=" + registryPasswords.size() + "]";
  }
}
