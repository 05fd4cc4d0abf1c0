package io.dbops.liteengine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LiteEngineConfigTest {
  @Test
  void defaultsToPort20001() {
    assertThat(LiteEngineConfig.fromEnvironment(Map.of()).port()).isEqualTo(20001);
  }

  @Test
  void readsThePortFromTheEnvironment() {
    assertThat(LiteEngineConfig.fromEnvironment(Map.of("DBOPS_LITE_ENGINE_PORT", "0")).port()).isZero();
  }

  @Test
  void rejectsANonNumericPortNamingTheVariable() {
    assertThatThrownBy(() -> LiteEngineConfig.fromEnvironment(Map.of("DBOPS_LITE_ENGINE_PORT", "http")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("DBOPS_LITE_ENGINE_PORT must be a port number, got 'http'");
  }

  @Test
  void rejectsAnOutOfRangePort() {
    assertThatThrownBy(() -> new LiteEngineConfig(70000))
        .hasMessageContaining("DBOPS_LITE_ENGINE_PORT must be between 0 and 65535");
  }
}
