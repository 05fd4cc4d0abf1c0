package io.dbops.controlplane.secrets;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * A master key: 32 random bytes, the AES-256 key under which the secret store is encrypted, and
 * the setting it came from (for error messages). Immutable; {@link #toString} never shows it.
 */
public final class MasterKey {
  static final int LENGTH = 32;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final byte[] bytes;
  private final String origin;

  private MasterKey(byte[] bytes, String origin) {
    this.bytes = bytes;
    this.origin = origin;
  }

  /**
   * The key written as base64 (standard or URL-safe, padding optional) of 32 bytes.
   *
   * @param origin the setting it was read from, for example {@code DBOPS_MASTER_KEY}; used in
   *     messages
   * @throws IllegalArgumentException naming {@code origin}, never echoing the text
   */
  public static MasterKey parse(String base64, String origin) {
    String text = base64 == null ? "" : base64.strip();
    byte[] decoded;
    try {
      decoded = (text.contains("-") || text.contains("_") ? Base64.getUrlDecoder() : Base64.getDecoder())
          .decode(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(origin + " must be the base64 of 32 random bytes (for example"
          + " the output of `openssl rand -base64 32`); it is not valid base64");
    }
    if (decoded.length != LENGTH) {
      Arrays.fill(decoded, (byte) 0);
      throw new IllegalArgumentException(origin + " must be the base64 of 32 random bytes (for example"
          + " the output of `openssl rand -base64 32`); it decodes to " + decoded.length + " bytes");
    }
    return new MasterKey(decoded, origin);
  }

  /** A new random key. */
  static MasterKey generate(String origin) {
    byte[] b = new byte[LENGTH];
    RANDOM.nextBytes(b);
    return new MasterKey(b, origin);
  }

  /** The setting the key came from, for example {@code DBOPS_MASTER_KEY_FILE (/etc/dbops/key)}. */
  public String origin() {
    return origin;
  }

  SecretKey aesKey() {
    return new SecretKeySpec(bytes, "AES");
  }

  /** The key as base64, for writing the generated key file only. */
  String encoded() {
    return Base64.getEncoder().encodeToString(bytes);
  }

  @Override
  public String toString() {
    return "MasterKey[from " + origin + "]";
  }
}
