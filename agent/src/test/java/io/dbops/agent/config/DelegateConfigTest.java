package io.dbops.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DelegateConfigTest {
  @Test
  void readsEverySettingFromTheEnvironment() {
    DelegateConfig config = DelegateConfig.fromEnvironment(Map.of(
        "DBOPS_SERVER_URL", "https://cp.example.com:8443",
        "DBOPS_TOKEN", "s3cret-token",
        "DBOPS_DELEGATE_NAME", "dc1",
        "DBOPS_TAGS", "eu, prod ,",
        "DBOPS_CAPACITY", "3",
        "DBOPS_RUNTIME", "local",
        "DBOPS_STATE_DIR", "/var/lib/dbops"));

    assertThat(config.serverUrl()).isEqualTo(URI.create("https://cp.example.com:8443"));
    assertThat(config.name()).isEqualTo("dc1");
    assertThat(config.tags()).containsExactly("eu", "prod");
    assertThat(config.capacity()).isEqualTo(3);
    assertThat(config.stateDir()).isEqualTo(Path.of("/var/lib/dbops"));
    assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofSeconds(15));
    assertThat(config.maxBackoff()).isEqualTo(Duration.ofSeconds(60));
    assertThat(config.podReadyTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(config.webSocketUrl()).isEqualTo(URI.create("wss://cp.example.com:8443/api/v1/delegates/connect"));
  }

  @Test
  void appliesDefaults() {
    DelegateConfig config = DelegateConfig.fromEnvironment(Map.of(
        "DBOPS_SERVER_URL", "http://localhost:8080/", "DBOPS_TOKEN", "t"));

    assertThat(config.name()).isEqualTo("local");
    assertThat(config.capacity()).isEqualTo(10);
    assertThat(config.runtime()).isEqualTo("local");
    assertThat(config.tags()).isEmpty();
    assertThat(config.stateDir()).isEqualTo(Path.of(".dbops", "delegate"));
    assertThat(config.webSocketUrl()).isEqualTo(URI.create("ws://localhost:8080/api/v1/delegates/connect"));
  }

  @Test
  void reportsEveryProblemAtOnceNamingItsVariable() {
    assertThatThrownBy(() -> DelegateConfig.fromEnvironment(Map.of(
            "DBOPS_SERVER_URL", "ftp://cp", "DBOPS_CAPACITY", "many", "DBOPS_RUNTIME", "docker")))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactlyInAnyOrder(
            "DBOPS_CAPACITY must be a whole number ≥ 1, got 'many'",
            "DBOPS_SERVER_URL must be an http:// or https:// URL with a host, got 'ftp://cp'",
            "DBOPS_TOKEN is required: the delegate token issued by the control plane",
            "DBOPS_RUNTIME must be 'local' or 'kubernetes', got 'docker'"));
  }

  @Test
  void rejectsZeroCapacity() {
    assertThatThrownBy(() -> new DelegateConfig(URI.create("http://cp"), "t", null, null, 0, null, null, null,
            null, null, null))
        .hasMessageContaining("DBOPS_CAPACITY must be ≥ 1, got 0");
  }

  @Test
  void neverShowsTheTokenInToString() {
    DelegateConfig config = new DelegateConfig(URI.create("http://cp"), "s3cret-token", null, List.of("a"), 1,
        null, null, List.of("java"), null, null, null);

    assertThat(config.toString()).doesNotContain("s3cret-token").contains("token=***");
  }
}
