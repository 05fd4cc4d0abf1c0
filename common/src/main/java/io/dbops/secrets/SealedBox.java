package io.dbops.secrets;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Public-key sealing of secret values for one delegate instance (ECIES): an ephemeral X25519 key
 * agreement with the recipient's public key, HKDF-SHA256 to derive an AES-256 key, AES-GCM to
 * encrypt. The associated data (the task id) binds a sealed value to its task: a value copied
 * into another task does not open.
 *
 * <p>Sealed form: base64 of {@code version(1) || ephemeral public key (X.509, 44) || nonce (12)
 * || ciphertext and tag}. Public keys travel as base64 of their X.509 encoding.
 *
 * <p>Stateless and thread-safe.
 */
public final class SealedBox {
  private static final byte VERSION = 1;
  private static final int PUBLIC_KEY_LENGTH = 44;
  private static final int NONCE_LENGTH = 12;
  private static final int TAG_BITS = 128;
  private static final byte[] INFO = "dbops sealed secret v1".getBytes(StandardCharsets.UTF_8);
  private static final SecureRandom RANDOM = new SecureRandom();

  private SealedBox() {}

  /** A new X25519 key pair; the private key never leaves the process that made it. */
  public static KeyPair newKeyPair() {
    try {
      return KeyPairGenerator.getInstance("X25519").generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("This JVM has no X25519 (Java 11+ has)", e);
    }
  }

  /** The public key as it travels in the hello frame. */
  public static String encodePublicKey(PublicKey key) {
    return Base64.getEncoder().encodeToString(key.getEncoded());
  }

  /**
   * Seals {@code value} for the holder of {@code recipientPublicKey}.
   *
   * @throws IllegalArgumentException when the public key is not a base64 X25519 key
   */
  public static String seal(String recipientPublicKey, String value, String associatedData) {
    try {
      PublicKey recipient = decodePublicKey(recipientPublicKey);
      KeyPair ephemeral = newKeyPair();
      byte[] ephemeralPublic = ephemeral.getPublic().getEncoded();
      byte[] key = deriveKey(ephemeral.getPrivate(), recipient, ephemeralPublic);
      byte[] nonce = new byte[NONCE_LENGTH];
      RANDOM.nextBytes(nonce);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
      byte[] ciphertext = cipher.doFinal(value.getBytes(StandardCharsets.UTF_8));
      Arrays.fill(key, (byte) 0);
      return Base64.getEncoder().encodeToString(ByteBuffer.allocate(1 + ephemeralPublic.length
              + NONCE_LENGTH + ciphertext.length)
          .put(VERSION).put(ephemeralPublic).put(nonce).put(ciphertext).array());
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("Cannot seal a value for this delegate: " + e.getMessage(), e);
    }
  }

  /**
   * Opens a value sealed for {@code privateKey} with the same associated data.
   *
   * @throws IllegalArgumentException when the value is malformed, sealed for another key, or
   *     sealed for another task; the message never holds the value
   */
  public static String open(PrivateKey privateKey, String sealed, String associatedData) {
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(sealed);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("The sealed value is not base64");
    }
    if (bytes.length < 1 + PUBLIC_KEY_LENGTH + NONCE_LENGTH + TAG_BITS / 8 || bytes[0] != VERSION) {
      throw new IllegalArgumentException("The sealed value is malformed or of an unknown version");
    }
    try {
      byte[] ephemeralPublic = Arrays.copyOfRange(bytes, 1, 1 + PUBLIC_KEY_LENGTH);
      byte[] nonce = Arrays.copyOfRange(bytes, 1 + PUBLIC_KEY_LENGTH, 1 + PUBLIC_KEY_LENGTH + NONCE_LENGTH);
      byte[] key = deriveKey(privateKey, decode(ephemeralPublic), ephemeralPublic);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
      byte[] plain = cipher.doFinal(bytes, 1 + PUBLIC_KEY_LENGTH + NONCE_LENGTH,
          bytes.length - 1 - PUBLIC_KEY_LENGTH - NONCE_LENGTH);
      Arrays.fill(key, (byte) 0);
      return new String(plain, StandardCharsets.UTF_8);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("The sealed value does not open with this delegate's key"
          + " (sealed for another delegate process or another task)");
    }
  }

  private static PublicKey decodePublicKey(String base64) throws GeneralSecurityException {
    if (base64 == null || base64.isBlank()) {
      throw new GeneralSecurityException("the delegate sent no sealing key");
    }
    try {
      return decode(Base64.getDecoder().decode(base64));
    } catch (IllegalArgumentException e) {
      throw new GeneralSecurityException("the delegate's sealing key is not base64");
    }
  }

  private static PublicKey decode(byte[] x509) throws GeneralSecurityException {
    return KeyFactory.getInstance("X25519").generatePublic(new X509EncodedKeySpec(x509));
  }

  /** HKDF-SHA256 (RFC 5869) of the shared secret, salted with the ephemeral public key. */
  private static byte[] deriveKey(PrivateKey own, PublicKey other, byte[] salt) throws GeneralSecurityException {
    KeyAgreement agreement = KeyAgreement.getInstance("X25519");
    agreement.init(own);
    agreement.doPhase(other, true);
    byte[] shared = agreement.generateSecret();
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(salt, "HmacSHA256"));
    byte[] prk = mac.doFinal(shared);
    Arrays.fill(shared, (byte) 0);
    mac.init(new SecretKeySpec(prk, "HmacSHA256"));
    mac.update(INFO);
    mac.update((byte) 1);
    byte[] okm = mac.doFinal();
    Arrays.fill(prk, (byte) 0);
    return okm; // 32 bytes: AES-256
  }
}
