package io.dbops.controlplane.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 signatures in the {@code sha256=<hex>} form GitHub uses (and dbops uses for its
 * generic webhooks and its outgoing notifications), and constant-time comparisons. Pure functions.
 */
public final class Signatures {
  private static final String PREFIX = "sha256=";

  private Signatures() {}

  /** {@code sha256=<lower-case hex HMAC-SHA256 of body under secret>}. */
  public static String sign(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return PREFIX + HexFormat.of().formatHex(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
    }
  }

  /** True when {@code header} is the signature of {@code body}; compared in constant time. */
  public static boolean verify(String secret, byte[] body, String header) {
    if (header == null) {
      return false;
    }
    return constantTimeEquals(sign(secret, body), header.trim().toLowerCase(java.util.Locale.ROOT));
  }

  /** Constant-time comparison of two strings (a null never equals). */
  public static boolean constantTimeEquals(String expected, String given) {
    if (expected == null || given == null) {
      return false;
    }
    return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
        given.getBytes(StandardCharsets.UTF_8));
  }
}
