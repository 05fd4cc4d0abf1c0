package io.dbops.controlplane.secrets;

import io.dbops.controlplane.store.Sql;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The control plane's secret store: table {@code secrets}, each value AES-256-GCM encrypted under
 * the master key with the secret's name as associated data (a ciphertext copied into another row
 * does not open). Values leave only through {@link #value}, for sealing to a delegate. Thread-safe.
 */
public final class SecretStore {
  private final Sql sql;
  private final MasterKey key;
  private final Clock clock;

  /** A stored secret as listed: never its value. */
  public record SecretInfo(String name, Instant createdAt, Instant updatedAt) {}

  /** A stored value no longer opens (its row was changed outside dbops). No value inside. */
  public static final class UnreadableSecretException extends RuntimeException {
    UnreadableSecretException(String name) {
      super("Secret '" + name + "' cannot be decrypted with the master key (its row was changed outside"
          + " dbops); store it again with `dbops secret create " + name + "`");
    }
  }

  /** The store has no master key (external database, no {@code DBOPS_MASTER_KEY}). */
  public static final class DisabledException extends RuntimeException {
    DisabledException() {
      super("The secret store is disabled: the control plane runs on an external database without"
          + " DBOPS_MASTER_KEY or DBOPS_MASTER_KEY_FILE; set one on every replica and restart"
          + " (docs/secrets.md)");
    }
  }

  /** The master key was rotated by another replica since this one started. */
  public static final class KeyRotatedException extends RuntimeException {
    KeyRotatedException() {
      super("The master key was rotated by another control plane replica since this one started;"
          + " this replica must be restarted with the new key before it can store secrets");
    }
  }

  /** @param key the key {@link MasterKeyCheck#verify} returned; null for a disabled store */
  public SecretStore(Sql sql, MasterKey key, Clock clock) {
    this.sql = sql;
    this.key = key;
    this.clock = clock;
  }

  /** False when there is no master key: nothing can be stored or read, only listed and deleted. */
  public boolean enabled() {
    return key != null;
  }

  /**
   * Stores or replaces a secret; true when it was created. The name must be valid already.
   *
   * @throws DisabledException without a master key
   * @throws KeyRotatedException when the stored key check no longer matches this replica's key
   */
  public boolean put(String name, String value) {
    if (key == null) {
      throw new DisabledException();
    }
    // A replica left running with the old key after a rotation must not write rows no one can read.
    SecretCipher.Encrypted check = sql.queryOne("SELECT nonce, ciphertext FROM master_key_check WHERE id = ?",
        rs -> new SecretCipher.Encrypted(rs.getString(1), rs.getString(2)), MasterKeyCheck.CHECK_ID).orElse(null);
    if (check == null || !MasterKeyCheck.opens(key, check)) {
      throw new KeyRotatedException();
    }
    long now = clock.millis();
    SecretCipher.Encrypted e = SecretCipher.encrypt(key, value, name);
    if (replace(name, e, now)) {
      return false;
    }
    try {
      sql.update("INSERT INTO secrets (name, nonce, ciphertext, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
          name, e.nonce(), e.ciphertext(), now, now);
      return true;
    } catch (Sql.StoreException ex) {
      if (Sql.isUniqueViolation(ex) && replace(name, e, now)) {
        return false; // created concurrently: last write wins
      }
      throw ex;
    }
  }

  private boolean replace(String name, SecretCipher.Encrypted e, long now) {
    return sql.update("UPDATE secrets SET nonce = ?, ciphertext = ?, updated_at = ? WHERE name = ?",
        e.nonce(), e.ciphertext(), now, name) == 1;
  }

  /** Every secret's name and times, by name. */
  public List<SecretInfo> list() {
    return sql.query("SELECT name, created_at, updated_at FROM secrets ORDER BY name",
        rs -> new SecretInfo(rs.getString("name"), Instant.ofEpochMilli(rs.getLong("created_at")),
            Instant.ofEpochMilli(rs.getLong("updated_at"))), 0);
  }

  /** Deletes a secret; false when there was none. */
  public boolean delete(String name) {
    return sql.update("DELETE FROM secrets WHERE name = ?", name) == 1;
  }

  public boolean exists(String name) {
    return sql.queryOne("SELECT 1 FROM secrets WHERE name = ?", rs -> Boolean.TRUE, name).isPresent();
  }

  /**
   * The decrypted value, or empty when there is no such secret.
   *
   * @throws UnreadableSecretException when the stored row does not open
   * @throws DisabledException without a master key
   */
  public Optional<String> value(String name) {
    if (key == null) {
      throw new DisabledException();
    }
    Optional<SecretCipher.Encrypted> row = sql.queryOne(
        "SELECT nonce, ciphertext FROM secrets WHERE name = ?",
        rs -> new SecretCipher.Encrypted(rs.getString("nonce"), rs.getString("ciphertext")), name);
    if (row.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(SecretCipher.decrypt(key, row.get(), name));
    } catch (SecretCipher.WrongKeyException e) {
      throw new UnreadableSecretException(name);
    }
  }
}
