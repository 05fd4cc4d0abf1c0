package io.dbops.controlplane.secrets;

import io.dbops.config.ConfigException;
import io.dbops.controlplane.store.Sql;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides at start which master key the secret store uses, so a wrong key fails at once with a
 * clear message instead of later with garbage. The table {@code master_key_check} holds one
 * AES-GCM ciphertext of a constant under the key the secrets are stored with:
 *
 * <ul>
 *   <li>no row yet: the row is written under the current key;
 *   <li>it opens with the current key: nothing to do;
 *   <li>it opens with the previous key: every secret and the check are re-encrypted under the
 *       current key in one transaction ({@link KeyRotation});
 *   <li>otherwise: {@link ConfigException} naming the setting.
 * </ul>
 *
 * Used once by the control plane's start; safe when several replicas start together.
 */
public final class MasterKeyCheck {
  static final String CHECK_ID = "current";
  static final String CHECK_TEXT = "dbops master key check v1";
  static final String CHECK_AAD = "master_key_check";
  private static final Logger log = LoggerFactory.getLogger(MasterKeyCheck.class);

  private final DataSource dataSource;
  private final Clock clock;

  public MasterKeyCheck(DataSource dataSource, Clock clock) {
    this.dataSource = dataSource;
    this.clock = clock;
  }

  /**
   * The key the secret store uses from now on; empty when no key is configured and the database is
   * external: a key file generated in one replica's data directory would differ from its peers' and
   * vanish with its container, so the store stays disabled until {@code DBOPS_MASTER_KEY} is set.
   *
   * @param dataDir where the key file is generated when no key is configured
   * @param embeddedDatabase whether the database is the embedded H2 file in {@code dataDir}
   * @throws ConfigException when neither the current nor the previous key matches the stored check
   */
  public Optional<MasterKey> verify(MasterKeySettings settings, Path dataDir, boolean embeddedDatabase) {
    if (settings.current() == null && !embeddedDatabase) {
      log.warn("No DBOPS_MASTER_KEY or DBOPS_MASTER_KEY_FILE is set and the database is external"
          + " (DBOPS_DB_URL): the secret store is disabled. Set one of them on every replica to store"
          + " secrets (docs/secrets.md)");
      return Optional.empty();
    }
    return Optional.of(verify(settings, dataDir));
  }

  private MasterKey verify(MasterKeySettings settings, Path dataDir) {
    MasterKey current = settings.current() != null ? settings.current() : MasterKeyFile.loadOrCreate(dataDir);
    MasterKey previous = settings.previous();
    Sql sql = new Sql(dataSource);
    Optional<SecretCipher.Encrypted> check = read(sql);
    if (check.isEmpty()) {
      long stored = sql.queryOne("SELECT COUNT(*) FROM secrets", rs -> rs.getLong(1)).orElse(0L);
      if (stored > 0) {
        throw new ConfigException("control plane", "The secrets table holds " + stored + " secret(s) but its key check"
            + " (table master_key_check) is missing; restore it from a backup (docs/secrets.md)");
      }
      SecretCipher.Encrypted created = SecretCipher.encrypt(current, CHECK_TEXT, CHECK_AAD);
      try {
        sql.update("INSERT INTO master_key_check (id, nonce, ciphertext, created_at) VALUES (?, ?, ?, ?)",
            CHECK_ID, created.nonce(), created.ciphertext(), clock.millis());
        log.info("Secret store initialised under the master key from {}", current.origin());
        return current;
      } catch (Sql.StoreException e) {
        if (!Sql.isUniqueViolation(e)) {
          throw e;
        }
        check = read(sql); // another replica initialised it meanwhile
      }
    }
    if (opens(current, check.orElseThrow())) {
      if (previous != null) {
        log.warn("DBOPS_MASTER_KEY_PREVIOUS is set but the secrets already use {}; remove it",
            current.origin());
      }
      return current;
    }
    if (previous != null && opens(previous, check.orElseThrow())) {
      new KeyRotation(dataSource, clock).rotate(previous, current);
      return current;
    }
    throw mismatch(current, previous);
  }

  static ConfigException mismatch(MasterKey current, MasterKey previous) {
    return new ConfigException("control plane", current.origin() + " does not match the key the secrets were stored"
        + " with" + (previous == null ? "" : ", and neither does " + previous.origin())
        + "; set it to that key, or rotate by setting the old key in DBOPS_MASTER_KEY_PREVIOUS (or"
        + " DBOPS_MASTER_KEY_PREVIOUS_FILE) next to the new one (docs/secrets.md)");
  }

  static boolean opens(MasterKey key, SecretCipher.Encrypted check) {
    try {
      return CHECK_TEXT.equals(SecretCipher.decrypt(key, check, CHECK_AAD));
    } catch (SecretCipher.WrongKeyException e) {
      return false;
    }
  }

  private static Optional<SecretCipher.Encrypted> read(Sql sql) {
    return sql.queryOne("SELECT nonce, ciphertext FROM master_key_check WHERE id = ?",
        rs -> new SecretCipher.Encrypted(rs.getString("nonce"), rs.getString("ciphertext")), CHECK_ID);
  }

  /** Reads the check row inside a transaction, locking it. */
  static Optional<SecretCipher.Encrypted> readForUpdate(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT nonce, ciphertext FROM master_key_check WHERE id = ? FOR UPDATE")) {
      ps.setString(1, CHECK_ID);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(new SecretCipher.Encrypted(rs.getString(1), rs.getString(2)))
            : Optional.empty();
      }
    }
  }
}
