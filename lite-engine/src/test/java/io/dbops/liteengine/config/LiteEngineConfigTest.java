package io.dbops.liteengine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
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
  void spoolsUnderTheTemporaryDirectoryUnlessToldOtherwise() {
    assertThat(LiteEngineConfig.fromEnvironment(Map.of()).logSpoolDir())
        .isEqualTo(Path.of(System.getProperty("java.io.tmpdir"), "dbops-log-spool"));
    assertThat(LiteEngineConfig.fromEnvironment(Map.of("DBOPS_LOG_SPOOL_DIR", "/var/dbops/spool")).logSpoolDir())
        .isEqualTo(Path.of("/var/dbops/spool"));
    assertThat(LiteEngineConfig.fromEnvironment(Map.of("DBOPS_LOG_SPOOL_DIR", "off")).logSpoolDir()).isNull();
  }

  @Test
  void reportsEveryProblemAtOnce() {
    assertThatThrownBy(() -> LiteEngineConfig.fromEnvironment(
            Map.of("DBOPS_LITE_ENGINE_PORT", "x", "DBOPS_LOG_SPOOL_DIR", "bad\u0000path")))
        .hasMessageContaining("DBOPS_LITE_ENGINE_PORT must be a port number")
        .hasMessageContaining("DBOPS_LOG_SPOOL_DIR must be a directory path or 'off'");
  }

  @Test
  void rejectsAnOutOfRangePort() {
    assertThatThrownBy(() -> new LiteEngineConfig(70000))
        .hasMessageContaining("DBOPS_LITE_ENGINE_PORT must be between 0 and 65535");
  }

  @Test
  void masksTheVariablesNamedInDbopsMaskEnvWithoutShowingThem() {
    LiteEngineConfig config = LiteEngineConfig.fromEnvironment(Map.of(
        "DBOPS_MASK_ENV", "DBOPS_DB_PASSWORD", "DBOPS_DB_PASSWORD", "hunter2-pw", "OTHER", "visible"));

    assertThat(config.masker().apply("pw=hunter2-pw other=visible"))
        .isEqualTo("pw=" + io.dbops.support.Secrets.MASK + " other=visible");
    assertThat(config.toString()).doesNotContain("hunter2-pw");
    assertThat(LiteEngineConfig.fromEnvironment(Map.of()).masker().isEmpty()).isTrue();
  }

  @Test
  void readsTheWorkspaceRootAndRefusesARelativeOne() {
    assertThat(LiteEngineConfig.fromEnvironment(Map.of()).workspaceRoot()).isNull();
    assertThat(LiteEngineConfig.fromEnvironment(Map.of("DBOPS_WORKSPACE_ROOT", "/workspace")).workspaceRoot())
        .isEqualTo(java.nio.file.Path.of("/workspace"));
    assertThatThrownBy(() -> LiteEngineConfig.fromEnvironment(Map.of("DBOPS_WORKSPACE_ROOT", "workspace")))
        .hasMessageContaining("DBOPS_WORKSPACE_ROOT must be an absolute directory path, got 'workspace'");
  }
}
