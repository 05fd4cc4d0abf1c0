package io.dbops.controlplane.secrets;

import java.util.Optional;

/**
 * Seals short secrets that other features keep in their own tables (webhook and notification
 * secrets) under the control plane's master key: AES-256-GCM, a random nonce per value, and
 * associated data that binds a ciphertext to its row. During a rotation
 * ({@code DBOPS_MASTER_KEY_PREVIOUS}) values sealed under the previous key still open, and
 * {@link #needsReseal} tells the owner to seal them again under the current key. Stateless and
 * thread-safe; {@link #toString} never shows a key.
 */
public final class SecretBox {
  private final MasterKey current;
  private final MasterKey previous;

  /** A sealed value as stored: base64 nonce and ciphertext (with its tag). */
  public record Sealed(String nonce, String ciphertext) {
    @Override
    public String toString() {
      return "Sealed[...]";
    }
  }

  /** The value does not open with the current or previous key. No value inside. */
  public static final class UnreadableException extends RuntimeException {
    public UnreadableException(String what) {
      super(what + " cannot be decrypted with the master key (its row was changed outside dbops or"
          + " the key was replaced without DBOPS_MASTER_KEY_PREVIOUS); create it again");
    }
  }

  /** @param current null when the secret store is disabled; previous null outside a rotation */
  public SecretBox(MasterKey current, MasterKey previous) {
    this.current = current;
    this.previous = previous;
  }

  /** False without a master key: nothing can be sealed or opened. */
  public boolean enabled() {
    return current != null;
  }

  /** @throws IllegalStateException without a master key (check {@link #enabled} first) */
  public Sealed seal(String value, String associatedData) {
    if (current == null) {
      throw new IllegalStateException("No master key");
    }
    SecretCipher.Encrypted e = SecretCipher.encrypt(current, value, associatedData);
    return new Sealed(e.nonce(), e.ciphertext());
  }

  /**
   * The value, opened with the current key or else the previous one.
   *
   * @param what names the value in the error, for example {@code "The secret of webhook 'x'"}
   * @throws UnreadableException when neither key opens it
   */
  public String open(Sealed sealed, String associatedData, String what) {
    if (current == null) {
      throw new IllegalStateException("No master key");
    }
    return tryOpen(current, sealed, associatedData)
        .or(() -> previous == null ? Optional.empty() : tryOpen(previous, sealed, associatedData))
        .orElseThrow(() -> new UnreadableException(what));
  }

  /** True when the value opens only with the previous key (seal it again). */
  public boolean needsReseal(Sealed sealed, String associatedData) {
    return current != null && previous != null && tryOpen(current, sealed, associatedData).isEmpty()
        && tryOpen(previous, sealed, associatedData).isPresent();
  }

  private static Optional<String> tryOpen(MasterKey key, Sealed sealed, String aad) {
    try {
      return Optional.of(SecretCipher.decrypt(key,
          new SecretCipher.Encrypted(sealed.nonce(), sealed.ciphertext()), aad));
    } catch (SecretCipher.WrongKeyException e) {
      return Optional.empty();
    }
  }

  @Override
  public String toString() {
    return "SecretBox[" + (current == null ? "disabled" : current.origin()) + "]";
  }
}
