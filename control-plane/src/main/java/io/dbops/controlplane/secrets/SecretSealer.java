package io.dbops.controlplane.secrets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dbops.controlplane.session.AssignmentSecrets;
import io.dbops.secrets.SealedBox;
import io.dbops.secrets.SecretSource;
import java.util.Optional;

/**
 * Seals the store secrets of an {@code init_stage} payload for the delegate process that claimed
 * it: each {@code secretEnv} entry, and each registry credential's {@code password}, whose
 * {@code source} is a store expression gets {@code sealed} = {@link SealedBox#seal}(the
 * delegate's hello key, the value, the task id). Works on the JSON tree, so fields this class does
 * not know pass through unchanged; the stored payload is never modified. Thread-safe.
 */
public final class SecretSealer implements AssignmentSecrets {
  private final SecretStore store;

  public SecretSealer(SecretStore store) {
    this.store = store;
  }

  @Override
  public JsonNode seal(String taskId, String taskType, JsonNode payload, String sealingKey) {
    if (payload == null || !payload.isObject()) {
      return payload;
    }
    ObjectNode copy = payload.deepCopy();
    boolean changed = false;
    for (JsonNode entry : copy.path("secretEnv")) {
      changed |= sealEntry(taskId, entry, sealingKey);
    }
    for (JsonNode credential : copy.path("pod").path("registryCredentials")) {
      changed |= sealEntry(taskId, credential.path("password"), sealingKey);
    }
    return changed ? copy : payload;
  }

  private boolean sealEntry(String taskId, JsonNode entry, String sealingKey) {
    if (!(entry instanceof ObjectNode object)) {
      return false;
    }
    Optional<SecretSource> source = SecretSource.parse(entry.path("source").asText(null));
    if (source.isEmpty() || source.get().kind() != SecretSource.Kind.STORE) {
      return false;
    }
    String name = source.get().name();
    if (sealingKey == null || sealingKey.isBlank()) {
      throw new Refused("The delegate sent no sealing key, so it cannot receive secret '" + name
          + "' from the control plane's store; upgrade the delegate, or use passwordFrom env:, file: or"
          + " kubernetes: for this stage");
    }
    String value;
    try {
      value = store.value(name).orElseThrow(() -> new Refused("Secret '" + name + "' does not exist in"
          + " the control plane's store (it was deleted after the run was submitted); create it with"
          + " `dbops secret create " + name + " --value-env VAR` and run the pipeline again"));
    } catch (SecretStore.UnreadableSecretException | SecretStore.DisabledException e) {
      throw new Refused(e.getMessage());
    }
    try {
      object.put("sealed", SealedBox.seal(sealingKey, value, taskId));
    } catch (IllegalArgumentException e) {
      throw new Refused("Cannot seal secret '" + name + "' for this delegate: its sealing key is not"
          + " a base64 X25519 public key");
    }
    return true;
  }
}
