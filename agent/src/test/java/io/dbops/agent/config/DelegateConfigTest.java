package io.dbops.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import io.dbops.config.ConfigException;
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
        "DBOPS_SERVER_URL", "http://localhost:8080/", "DBOPS_TOKEN", "t", "DBOPS_ALLOW_INSECURE", "true"));

    assertThat(config.name()).isEqualTo("local");
    assertThat(config.capacity()).isEqualTo(10);
    assertThat(config.runtime()).isEqualTo("local");
    assertThat(config.tags()).isEmpty();
    assertThat(config.stateDir()).isEqualTo(Path.of(".dbops", "delegate"));
    assertThat(config.webSocketUrl()).isEqualTo(URI.create("ws://localhost:8080/api/v1/delegates/connect"));
    assertThat(config.drainGrace()).isEqualTo(Duration.ofSeconds(60));
    assertThat(config.transport()).isEqualTo("websocket");
    assertThat(config.endpoints()).isEqualTo(new DelegateConfig.Endpoints("0.0.0.0", 9090));
    assertThat(config.tls()).isEqualTo(DelegateConfig.Tls.INSECURE);
    assertThat(config.outboxDir()).isEqualTo(Path.of(".dbops", "delegate", "outbox"));
  }

  @Test
  void readsTheTransportDrainTlsAndEndpointSettings(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Path ca = java.nio.file.Files.writeString(dir.resolve("ca.pem"), "x");
    Path cert = java.nio.file.Files.writeString(dir.resolve("cert.pem"), "x");
    Path key = java.nio.file.Files.writeString(dir.resolve("key.pem"), "x");
    DelegateConfig config = DelegateConfig.fromEnvironment(Map.of(
        "DBOPS_SERVER_URL", "https://cp.example.com", "DBOPS_TOKEN", "t",
        "DBOPS_TRANSPORT", "long-poll", "DBOPS_DRAIN_SECONDS", "5",
        "DBOPS_CA_BUNDLE", ca.toString(), "DBOPS_CLIENT_CERT", cert.toString(), "DBOPS_CLIENT_KEY", key.toString(),
        "DBOPS_METRICS_PORT", "0", "DBOPS_METRICS_BIND", "127.0.0.1"));

    assertThat(config.transport()).isEqualTo(DelegateConfig.TRANSPORT_LONG_POLL);
    assertThat(config.drainGrace()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.tls()).isEqualTo(new DelegateConfig.Tls(false, ca, cert, key));
    assertThat(config.endpoints()).isEqualTo(new DelegateConfig.Endpoints("127.0.0.1", 0));
    assertThat(config.transportUrl()).isEqualTo(URI.create("https://cp.example.com/api/v1/delegates/poll/sessions"));
  }

  @Test
  void refusesPlainHttpUnlessInsecureIsAllowedNamingTheVariable() {
    assertThatThrownBy(() -> DelegateConfig.fromEnvironment(Map.of(
            "DBOPS_SERVER_URL", "http://cp.example.com", "DBOPS_TOKEN", "t")))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
            "DBOPS_SERVER_URL is plain http (http://cp.example.com): use https://, or set"
                + " DBOPS_ALLOW_INSECURE=true to allow an unencrypted connection"));
  }

  @Test
  void reportsBadTransportDrainPortAndTlsSettings() {
    assertThatThrownBy(() -> DelegateConfig.fromEnvironment(Map.of(
            "DBOPS_SERVER_URL", "https://cp", "DBOPS_TOKEN", "t", "DBOPS_TRANSPORT", "carrier-pigeon",
            "DBOPS_DRAIN_SECONDS", "soon", "DBOPS_METRICS_PORT", "70000", "DBOPS_ALLOW_INSECURE", "maybe",
            "DBOPS_CLIENT_CERT", "/nonexistent/cert.pem")))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactlyInAnyOrder(
            "DBOPS_DRAIN_SECONDS must be a whole number, not 'soon'",
            "DBOPS_ALLOW_INSECURE must be true or false, not 'maybe'",
            "DBOPS_TRANSPORT must be one of long-poll, websocket, not 'carrier-pigeon'",
            "DBOPS_METRICS_PORT must be between 0 and 65535, not '70000'",
            "DBOPS_CLIENT_CERT names a file that does not exist or is not readable: /nonexistent/cert.pem",
            "DBOPS_CLIENT_CERT and DBOPS_CLIENT_KEY must be set together (a PEM certificate and its"
                + " PKCS#8 private key)"));
  }

  @Test
  void reportsEveryProblemAtOnceNamingItsVariable() {
    assertThatThrownBy(() -> DelegateConfig.fromEnvironment(Map.of(
            "DBOPS_SERVER_URL", "ftp://cp", "DBOPS_CAPACITY", "many", "DBOPS_RUNTIME", "docker")))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactlyInAnyOrder(
            "DBOPS_CAPACITY must be a whole number, not 'many'",
            "DBOPS_SERVER_URL must be an http:// or https:// URL with a host, got 'ftp://cp'",
            "DBOPS_TOKEN is required: the delegate token issued by the control plane",
            "DBOPS_RUNTIME must be one of kubernetes, local, not 'docker'"));
  }

  @Test
  void readsWarmPodsAndPodReuseWithTheirDefaults() {
    Map<String, String> base = Map.of("DBOPS_SERVER_URL", "https://cp", "DBOPS_TOKEN", "t");
    LocalSettings defaults = DelegateConfig.fromEnvironment(base).local();
    assertThat(defaults.warmPods()).isEqualTo(1);
    assertThat(defaults.podReuse()).isEqualTo(Duration.ofSeconds(60));

    Map<String, String> env = new java.util.HashMap<>(base);
    env.put("DBOPS_LOCAL_WARM_PODS", "0");
    env.put("DBOPS_LOCAL_POD_REUSE_SECONDS", "0");
    LocalSettings off = DelegateConfig.fromEnvironment(env).local();
    assertThat(off.warmPods()).isZero();
    assertThat(off.podReuse()).isZero();
    // the CLI sets the pod process command afterwards: the settings stay
    LocalSettings withCommand = DelegateConfig.fromEnvironment(env).toBuilder().podProcessCommand(List.of("java"))
        .build().local();
    assertThat(withCommand.warmPods()).isZero();
    assertThat(withCommand.podReuse()).isZero();
  }

  @Test
  void reportsBadWarmPodAndPodReuseSettingsNamingTheirVariables() {
    assertThatThrownBy(() -> DelegateConfig.fromEnvironment(Map.of("DBOPS_SERVER_URL", "https://cp", "DBOPS_TOKEN",
            "t", "DBOPS_LOCAL_WARM_PODS", "-1", "DBOPS_LOCAL_POD_REUSE_SECONDS", "a minute")))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).hasSize(2)
            .anySatisfy(p -> assertThat(p).startsWith("DBOPS_LOCAL_WARM_PODS must be between 0 and 16"))
            .anySatisfy(p -> assertThat(p).startsWith("DBOPS_LOCAL_POD_REUSE_SECONDS must be a whole number")));
  }

  @Test
  void rejectsZeroCapacity() {
    assertThatThrownBy(() -> DelegateConfig.builder().serverUrl("http://cp").token("t").capacity(0)
            .tls(DelegateConfig.Tls.INSECURE).build())
        .hasMessageContaining("DBOPS_CAPACITY must be ≥ 1, got 0");
  }

  @Test
  void neverShowsTheTokenInToString() {
    DelegateConfig config = DelegateConfig.builder().serverUrl("https://cp").token("s3cret-token").tags(List.of("a"))
        .capacity(1).podProcessCommand(List.of("java")).build();

    assertThat(config.toString()).doesNotContain("s3cret-token").contains("token=***");
  }
}
