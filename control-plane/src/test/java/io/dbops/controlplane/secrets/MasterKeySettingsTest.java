package io.dbops.controlplane.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbops.config.ConfigException;
import io.dbops.controlplane.config.ControlPlaneConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MasterKeySettingsTest {
  private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]).replace('A', 'k');
  @TempDir Path dir;

  @Test
  void readsTheKeyFromTheVariableOrTheFileAndNeverPrintsIt() throws Exception {
    Path file = Files.writeString(dir.resolve("key"), KEY + "\n");
    ControlPlaneConfig fromValue = ControlPlaneConfig.fromEnvironment(Map.of("DBOPS_MASTER_KEY", KEY));
    ControlPlaneConfig fromFile = ControlPlaneConfig.fromEnvironment(Map.of(
        "DBOPS_MASTER_KEY_FILE", file.toString(), "DBOPS_MASTER_KEY_PREVIOUS", KEY));
    assertThat(fromValue.masterKeys().current().origin()).isEqualTo("DBOPS_MASTER_KEY");
    assertThat(fromFile.masterKeys().current().origin()).isEqualTo("DBOPS_MASTER_KEY_FILE (" + file + ")");
    assertThat(fromFile.masterKeys().previous().origin()).isEqualTo("DBOPS_MASTER_KEY_PREVIOUS");
    assertThat(fromFile.toString()).doesNotContain(KEY).contains("masterKeys=MasterKeySettings[current="
        + "DBOPS_MASTER_KEY_FILE (" + file + "), previous=DBOPS_MASTER_KEY_PREVIOUS]");
    assertThat(ControlPlaneConfig.fromEnvironment(Map.of()).masterKeys()).isEqualTo(MasterKeySettings.GENERATED);
  }

  @Test
  void reportsEveryBadKeySettingNamingTheVariableNeverTheValue() {
    String shortKey = Base64.getEncoder().encodeToString("sixteen-bytes-xx".getBytes());
    assertThatThrownBy(() -> ControlPlaneConfig.fromEnvironment(Map.of(
        "DBOPS_MASTER_KEY", shortKey,
        "DBOPS_MASTER_KEY_PREVIOUS", "not base64 at all!",
        "DBOPS_SERVER_PORT", "x")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("DBOPS_SERVER_PORT must be a whole number")
        .hasMessageContaining("DBOPS_MASTER_KEY must be the base64 of 32 random bytes (for example the"
            + " output of `openssl rand -base64 32`); it decodes to 16 bytes")
        .hasMessageContaining("DBOPS_MASTER_KEY_PREVIOUS must be the base64 of 32 random bytes")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(shortKey).doesNotContain("not base64 at all"));
    assertThatThrownBy(() -> ControlPlaneConfig.fromEnvironment(Map.of(
        "DBOPS_MASTER_KEY", KEY, "DBOPS_MASTER_KEY_FILE", "/x")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("Set only one of DBOPS_MASTER_KEY and DBOPS_MASTER_KEY_FILE");
    assertThatThrownBy(() -> ControlPlaneConfig.fromEnvironment(Map.of(
        "DBOPS_MASTER_KEY_FILE", dir.resolve("missing").toString())))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("DBOPS_MASTER_KEY_FILE (" + dir.resolve("missing") + ") cannot be read");
    assertThatThrownBy(() -> ControlPlaneConfig.fromEnvironment(Map.of("DBOPS_MASTER_KEY_PREVIOUS", KEY)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("DBOPS_MASTER_KEY_PREVIOUS is set without DBOPS_MASTER_KEY");
  }

  @Test
  void aCiphertextOpensOnlyUnderItsKeyAndItsName() throws Exception {
    MasterKey key = MasterKey.parse(KEY, "k");
    SecretCipher.Encrypted e = SecretCipher.encrypt(key, "value", "a");
    assertThat(SecretCipher.decrypt(key, e, "a")).isEqualTo("value");
    assertThatThrownBy(() -> SecretCipher.decrypt(key, e, "b")).isInstanceOf(SecretCipher.WrongKeyException.class);
    assertThatThrownBy(() -> SecretCipher.decrypt(MasterKey.generate("other"), e, "a"))
        .isInstanceOf(SecretCipher.WrongKeyException.class);
    assertThat(SecretCipher.encrypt(key, "value", "a")).isNotEqualTo(e); // a fresh nonce each time
  }
}
