package io.dbops.controlplane.secrets;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * AES-256-GCM under a {@link MasterKey}, with a random 96-bit nonce per encryption and associated
 * data that binds a ciphertext to its row (the secret's name), so rows cannot be swapped.
 * Stateless and thread-safe.
 */
final class SecretCipher {
  private static final int NONCE_LENGTH = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A ciphertext as stored: base64 of the nonce and of the ciphertext with its tag. */
  record Encrypted(String nonce, String ciphertext) {
    @Override
    public String toString() {
      return "Encrypted[...]";
    }
  }

  /** Thrown when a ciphertext does not open: another key, another row, or altered. No value inside. */
  static final class WrongKeyException extends Exception {
    WrongKeyException() {
      super("the ciphertext does not open with this key and associated data");
    }
  }

  private SecretCipher() {}

  static Encrypted encrypt(MasterKey key, String plaintext, String associatedData) {
    byte[] nonce = new byte[NONCE_LENGTH];
    RANDOM.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key.aesKey(), new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
      byte[] ciphertext = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
      return new Encrypted(Base64.getEncoder().encodeToString(nonce),
          Base64.getEncoder().encodeToString(ciphertext));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available in this JVM", e);
    }
  }

  static String decrypt(MasterKey key, Encrypted encrypted, String associatedData)
      throws WrongKeyException {
    try {
      byte[] nonce = Base64.getDecoder().decode(encrypted.nonce());
      byte[] ciphertext = Base64.getDecoder().decode(encrypted.ciphertext());
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key.aesKey(), new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
      return new String(cipher.doFinal(ciphertext), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new WrongKeyException();
    }
  }
}
