package io.dbops.controlplane.logs;

import io.dbops.controlplane.store.Sql;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Log tokens: HMAC-SHA256(serverKey, stream) in URL-safe base64. The 32-byte server key is made
 * once and kept in the {@code settings} table, so replicas sharing the database agree on tokens.
 * Tokens are never stored. Thread-safe.
 */
final class LogTokens {
  static final String KEY_SETTING = "log_token_key";

  private final byte[] key;

  private LogTokens(byte[] key) {
    this.key = key;
  }

  /** Loads the server key, creating it on first start. */
  static LogTokens load(Sql sql) {
    String stored = read(sql);
    if (stored == null) {
      byte[] fresh = new byte[32];
      new SecureRandom().nextBytes(fresh);
      try {
        sql.update("INSERT INTO settings (name, setting_value) VALUES (?, ?)", KEY_SETTING,
            Base64.getEncoder().encodeToString(fresh));
      } catch (RuntimeException e) {
        if (!Sql.isUniqueViolation(e)) {
          throw e;
        }
        // another replica created it first; use theirs
      }
      stored = read(sql);
    }
    return new LogTokens(Base64.getDecoder().decode(stored));
  }

  private static String read(Sql sql) {
    return sql.queryOne("SELECT setting_value FROM settings WHERE name = ?", rs -> rs.getString(1),
        KEY_SETTING).orElse(null);
  }

  String tokenFor(String stream) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return Base64.getUrlEncoder().withoutPadding()
          .encodeToString(mac.doFinal(stream.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  boolean verify(String stream, String token) {
    return MessageDigest.isEqual(tokenFor(stream).getBytes(StandardCharsets.UTF_8),
        token.getBytes(StandardCharsets.UTF_8));
  }
}
