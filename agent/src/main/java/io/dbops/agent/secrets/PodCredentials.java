package io.dbops.agent.secrets;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The credential of each build pod this delegate instance started ({@code DBOPS_POD_TOKEN}): 32
 * random bytes, base64url without padding, made at the pod's init and kept in memory until its
 * cleanup. The pod's lite engine and step runtimes accept only calls carrying it ({@code
 * authorization: Bearer <token>}). After a restart the pods of the earlier instance are abandoned,
 * so nothing is stored. Thread-safe.
 */
public final class PodCredentials {
  /** The variable the pod's containers read their credential from. */
  public static final String VARIABLE = "DBOPS_POD_TOKEN";
  private static final SecureRandom RANDOM = new SecureRandom();
  private final Map<String, String> byPod = new ConcurrentHashMap<>();

  /** The pod's credential: the one it already has (an init retried), else a new one. */
  public String issue(String podName) {
    return byPod.computeIfAbsent(podName, name -> newToken());
  }

  /** A fresh credential: 32 bytes from {@link SecureRandom}, base64url without padding. */
  public static String newToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** The credential of a pod this instance started; empty for any other. */
  public Optional<String> of(String podName) {
    return podName == null ? Optional.empty() : Optional.ofNullable(byPod.get(podName));
  }

  public void remove(String podName) {
    if (podName != null) {
      byPod.remove(podName);
    }
  }
}
