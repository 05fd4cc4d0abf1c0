package io.dbops.agent.secrets;

import io.dbops.secrets.Masker;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The masker of each running build pod, kept from its init task to its cleanup, so that what the
 * delegate reports about the pod's steps (outputs, errors, its own task log) is masked for every
 * secret of the pod. Thread-safe.
 */
public final class PodMaskers {
  private final Map<String, Masker> byPod = new ConcurrentHashMap<>();

  public void put(String podName, Masker masker) {
    byPod.put(podName, masker);
  }

  /** The pod's masker; {@link Masker#NONE} for a pod this instance does not know. */
  public Masker get(String podName) {
    return podName == null ? Masker.NONE : byPod.getOrDefault(podName, Masker.NONE);
  }

  public void remove(String podName) {
    byPod.remove(podName);
  }
}
