package io.dbops.liteengine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbops.config.ConfigException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LiteEngineConfigTest {
  private static final String TOKEN = "pod-token-value-never-shown";

  /** The required settings plus {@code extra} (key, value, key, value, ...). */
  private static Map<String, String> env(String... extra) {
    Map<String, String> env = new HashMap<>(Map.of("DBOPS_POD_TOKEN", TOKEN, "DBOPS_POD_STEP_PORTS", "20002,20003",
        "DBOPS_LOG_SERVICE_URL", "http://cp.example:8080/"));
    for (int i = 0; i < extra.length; i += 2) {
      env.put(extra[i], extra[i + 1]);
    }
    return env;
  }

  @Test
  void defaultsToPort20001OnLoopback() {
    LiteEngineConfig config = LiteEngineConfig.fromEnvironment(env());
    assertThat(config.port()).isEqualTo(20001);
    assertThat(config.bindAddress()).isEqualTo("127.0.0.1");
    assertThat(LiteEngineConfig.fromEnvironment(env("DBOPS_BIND_ADDRESS", "0.0.0.0")).bindAddress()).isEqualTo("0.0.0.0");
  }

  @Test
  void readsThePortFromTheEnvironment() {
    assertThat(LiteEngineConfig.fromEnvironment(env("DBOPS_LITE_ENGINE_PORT", "0")).port()).isZero();
  }

  @Test
  void rejectsANonNumericPortNamingTheVariable() {
    assertThatThrownBy(() -> LiteEngineConfig.fromEnvironment(env("DBOPS_LITE_ENGINE_PORT", "http")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("DBOPS_LITE_ENGINE_PORT must be a whole number, not 'http'");
  }

  @Test
  void refusesToStartWithoutThePodCredentialTheStepPortsOrTheLogService() {
    assertThatThrownBy(() -> LiteEngineConfig.fromEnvironment(Map.of()))
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          assertThat(e.component()).isEqualTo("lite engine");
          assertThat(e.problems()).anyMatch(p -> p.startsWith("DBOPS_POD_TOKEN must be set"))
              .anyMatch(p -> p.startsWith("DBOPS_POD_STEP_PORTS must be set"))
              .anyMatch(p -> p.startsWith("DBOPS_LOG_SERVICE_URL must be set"));
        });
    assertThatThrownBy(() -> LiteEngineConfig.fromEnvironment(env("DBOPS_POD_STEP_PORTS", " , ")))
        .hasMessageContaining("DBOPS_POD_STEP_PORTS must be set");
    assertThatThrownBy(() -> LiteEngineConfig.fromEnvironment(env("DBOPS_POD_STEP_PORTS", "20002,x")))
        .hasMessageContaining("DBOPS_POD_STEP_PORTS: must be a comma list of port numbers, not 'x'");
  }

  @Test
  void readsTheForwardingRules() {
    ForwardingRules rules = LiteEngineConfig.fromEnvironment(env()).forwarding();
    assertThat(rules.stepPorts()).containsExactlyInAnyOrder(20002, 20003);
    assertThat(rules.logServiceUrl()).isEqualTo("http://cp.example:8080");
    assertThat(LiteEngineConfig.fromEnvironment(env("DBOPS_LOG_SERVICE_URL", "off")).forwarding().logServiceUrl())
        .isNull();
    assertThatThrownBy(() -> LiteEngineConfig.fromEnvironment(env("DBOPS_LOG_SERVICE_URL", "ftp://x")))
        .hasMessageContaining("DBOPS_LOG_SERVICE_URL must be an http(s) URL or 'off'");
  }

  @Test
  void neverShowsThePodCredential() {
    LiteEngineConfig config = LiteEngineConfig.fromEnvironment(env());
    assertThat(config.toString()).doesNotContain(TOKEN);
  }

  @Test
  void spoolsUnderTheTemporaryDirectoryUnlessToldOtherwise() {
    assertThat(LiteEngineConfig.fromEnvironment(env()).logSpoolDir())
        .isEqualTo(Path.of(System.getProperty("java.io.tmpdir"), "dbops-log-spool"));
    assertThat(LiteEngineConfig.fromEnvironment(env("DBOPS_LOG_SPOOL_DIR", "/var/dbops/spool")).logSpoolDir())
        .isEqualTo(Path.of("/var/dbops/spool"));
    assertThat(LiteEngineConfig.fromEnvironment(env("DBOPS_LOG_SPOOL_DIR", "off")).logSpoolDir()).isNull();
  }

  @Test
  void reportsEveryProblemAtOnce() {
    assertThatThrownBy(() -> LiteEngineConfig.fromEnvironment(
            env("DBOPS_LITE_ENGINE_PORT", "x", "DBOPS_LOG_SPOOL_DIR", "bad\u0000path")))
        .hasMessageContaining("DBOPS_LITE_ENGINE_PORT must be a whole number")
        .hasMessageContaining("DBOPS_LOG_SPOOL_DIR must be a file system path");
  }

  @Test
  void rejectsAnOutOfRangePort() {
    assertThatThrownBy(() -> LiteEngineConfig.fromEnvironment(env("DBOPS_LITE_ENGINE_PORT", "70000")))
        .hasMessageContaining("DBOPS_LITE_ENGINE_PORT must be between 0 and 65535");
  }

  @Test
  void masksTheVariablesNamedInDbopsMaskEnvWithoutShowingThem() {
    LiteEngineConfig config = LiteEngineConfig.fromEnvironment(env(
        "DBOPS_MASK_ENV", "DBOPS_DB_PASSWORD", "DBOPS_DB_PASSWORD", "hunter2-pw", "OTHER", "visible"));

    assertThat(config.masker().apply("pw=hunter2-pw other=visible"))
        .isEqualTo("pw=" + io.dbops.support.Secrets.MASK + " other=visible");
    assertThat(config.toString()).doesNotContain("hunter2-pw");
    assertThat(LiteEngineConfig.fromEnvironment(env()).masker().isEmpty()).isTrue();
  }

  @Test
  void readsTheWorkspaceRootAndRefusesARelativeOne() {
    assertThat(LiteEngineConfig.fromEnvironment(env()).workspaceRoot()).isNull();
    assertThat(LiteEngineConfig.fromEnvironment(env("DBOPS_WORKSPACE_ROOT", "/workspace")).workspaceRoot())
        .isEqualTo(Path.of("/workspace"));
    assertThatThrownBy(() -> LiteEngineConfig.fromEnvironment(env("DBOPS_WORKSPACE_ROOT", "workspace")))
        .hasMessageContaining("DBOPS_WORKSPACE_ROOT must be an absolute directory path, not 'workspace'");
  }
}
