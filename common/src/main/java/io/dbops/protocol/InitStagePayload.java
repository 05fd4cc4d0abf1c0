package io.dbops.protocol;

import java.util.List;
import java.util.Map;

/**
 * Payload of an {@link TaskTypes#INIT_STAGE} task: the shape of the build pod of one stage.
 *
 * @param podName name of the pod to create; unique per stage run
 * @param image the image of every container (one distribution serves every role)
 * @param stepContainers number of step containers (ports 20002 and up)
 * @param env plain environment of the step containers; never holds secret values
 * @param secretEnv environment variables whose values are secrets, resolved by the delegate
 * @param timeoutSeconds the most the pod may live ({@code activeDeadlineSeconds})
 */
public record InitStagePayload(
    String executionId,
    String stageName,
    String podName,
    String image,
    int stepContainers,
    Map<String, String> env,
    List<SecretEnv> secretEnv,
    int timeoutSeconds) {
  public InitStagePayload {
    env = env == null ? Map.of() : Map.copyOf(env);
    secretEnv = secretEnv == null ? List.of() : List.copyOf(secretEnv);
  }

  /**
   * A secret environment variable of the step containers.
   *
   * @param name the variable the step container reads, for example {@code DBOPS_DB_PASSWORD}
   * @param source where the delegate finds the value; {@code env:VAR} reads the delegate's own
   *     environment variable VAR, so the value never leaves the delegate's host
   */
  public record SecretEnv(String name, String source) {}
}
