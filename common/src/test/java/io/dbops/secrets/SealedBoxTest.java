package io.dbops.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class SealedBoxTest {
  private final KeyPair delegate = SealedBox.newKeyPair();
  private final String publicKey = SealedBox.encodePublicKey(delegate.getPublic());

  @Test
  void opensWhatWasSealedForItsKeyAndTask() {
    String sealed = SealedBox.seal(publicKey, "s3cr3t-päss\nline two", "task-1");

    assertThat(sealed).doesNotContain("s3cr3t");
    assertThat(SealedBox.open(delegate.getPrivate(), sealed, "task-1")).isEqualTo("s3cr3t-päss\nline two");
  }

  @Test
  void sealingTwiceGivesDifferentCiphertexts() {
    assertThat(SealedBox.seal(publicKey, "same", "t")).isNotEqualTo(SealedBox.seal(publicKey, "same", "t"));
  }

  @Test
  void refusesAnotherTaskAnotherKeyAndTampering() {
    String sealed = SealedBox.seal(publicKey, "s3cr3t", "task-1");
    KeyPair other = SealedBox.newKeyPair();
    byte[] bytes = Base64.getDecoder().decode(sealed);
    bytes[bytes.length - 1] ^= 1;
    String tampered = Base64.getEncoder().encodeToString(bytes);

    assertThatThrownBy(() -> SealedBox.open(delegate.getPrivate(), sealed, "task-2"))
        .hasMessageContaining("does not open").hasMessageNotContaining("s3cr3t");
    assertThatThrownBy(() -> SealedBox.open(other.getPrivate(), sealed, "task-1"))
        .hasMessageContaining("does not open");
    assertThatThrownBy(() -> SealedBox.open(delegate.getPrivate(), tampered, "task-1"))
        .hasMessageContaining("does not open");
    assertThatThrownBy(() -> SealedBox.open(delegate.getPrivate(), "%%%", "task-1"))
        .hasMessage("The sealed value is not base64");
    assertThatThrownBy(() -> SealedBox.open(delegate.getPrivate(), "AAAA", "task-1"))
        .hasMessageContaining("malformed");
  }

  @Test
  void refusesAMissingOrBrokenPublicKey() {
    assertThatThrownBy(() -> SealedBox.seal(null, "v", "t")).hasMessageContaining("sent no sealing key");
    assertThatThrownBy(() -> SealedBox.seal("AAAA", "v", "t")).isInstanceOf(IllegalArgumentException.class);
  }
}
