package io.dbops.controlplane.secrets;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-encrypts every stored secret and the key check from the previous master key to the current
 * one, in one transaction: either everything moves to the new key or nothing does. The check row
 * is locked first, so of several replicas starting together one rotates and the others find the
 * work done.
 */
final class KeyRotation {
  private static final Logger log = LoggerFactory.getLogger(KeyRotation.class);

  private final DataSource dataSource;
  private final Clock clock;

  KeyRotation(DataSource dataSource, Clock clock) {
    this.dataSource = dataSource;
    this.clock = clock;
  }

  private record Row(String name, SecretCipher.Encrypted encrypted) {}

  /** Returns how many secrets were re-encrypted (0 when another replica did it meanwhile). */
  int rotate(MasterKey previous, MasterKey current) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        SecretCipher.Encrypted check = MasterKeyCheck.readForUpdate(c).orElseThrow(
            () -> new IllegalStateException("The master key check disappeared during the rotation"));
        if (MasterKeyCheck.opens(current, check)) {
          c.commit();
          log.info("The master key was already rotated to {} (by another replica)", current.origin());
          return 0;
        }
        if (!MasterKeyCheck.opens(previous, check)) {
          throw MasterKeyCheck.mismatch(current, previous);
        }
        List<Row> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT name, nonce, ciphertext FROM secrets ORDER BY name");
            ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            rows.add(new Row(rs.getString(1), new SecretCipher.Encrypted(rs.getString(2), rs.getString(3))));
          }
        }
        try (PreparedStatement update = c.prepareStatement(
            "UPDATE secrets SET nonce = ?, ciphertext = ? WHERE name = ?")) {
          for (Row row : rows) {
            String value;
            try {
              value = SecretCipher.decrypt(previous, row.encrypted(), row.name());
            } catch (SecretCipher.WrongKeyException e) {
              throw new IllegalStateException("Secret '" + row.name() + "' does not open with "
                  + previous.origin() + " (its row was changed outside dbops); nothing was rotated."
                  + " Delete or restore that secret and start again");
            }
            SecretCipher.Encrypted again = SecretCipher.encrypt(current, value, row.name());
            update.setString(1, again.nonce());
            update.setString(2, again.ciphertext());
            update.setString(3, row.name());
            update.executeUpdate();
          }
        }
        SecretCipher.Encrypted newCheck = SecretCipher.encrypt(current, MasterKeyCheck.CHECK_TEXT,
            MasterKeyCheck.CHECK_AAD);
        try (PreparedStatement ps = c.prepareStatement(
            "UPDATE master_key_check SET nonce = ?, ciphertext = ?, rotated_at = ? WHERE id = ?")) {
          ps.setString(1, newCheck.nonce());
          ps.setString(2, newCheck.ciphertext());
          ps.setLong(3, clock.millis());
          ps.setString(4, MasterKeyCheck.CHECK_ID);
          ps.executeUpdate();
        }
        c.commit();
        log.info("Rotated the master key from {} to {}: re-encrypted {} secret(s). Remove"
            + " DBOPS_MASTER_KEY_PREVIOUS now", previous.origin(), current.origin(), rows.size());
        return rows.size();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot rotate the master key: " + e.getMessage(), e);
    }
  }
}
