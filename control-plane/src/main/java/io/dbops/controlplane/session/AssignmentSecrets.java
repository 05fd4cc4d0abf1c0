package io.dbops.controlplane.session;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Adds the secrets a task needs to its payload as it is sent in {@code task_assigned}, sealed to
 * the session's delegate process; the stored task keeps only the expressions. Called on the
 * thread that handles the claim. Implementations are thread-safe.
 */
@FunctionalInterface
public interface AssignmentSecrets {
  /**
   * The payload to send for task {@code taskId}.
   *
   * @param sealingKey the delegate's public key from its hello; may be null
   * @throws Refused when the task cannot run on this delegate (a missing secret, no sealing key):
   *     the task fails with the message, which names the secret and never holds a value
   */
  JsonNode seal(String taskId, String taskType, JsonNode payload, String sealingKey);

  /** The task cannot be given its secrets; retrying does not help. */
  final class Refused extends RuntimeException {
    public Refused(String message) {
      super(message);
    }
  }
}
