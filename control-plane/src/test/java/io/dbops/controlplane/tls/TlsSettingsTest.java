package io.dbops.controlplane.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbops.config.ConfigException;
import io.dbops.config.EnvReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TlsSettingsTest {
  @Test
  void plainHttpBeyondLoopbackIsRefusedNamingBothSettings() {
    for (String bind : new String[] {"0.0.0.0", "::", "10.1.2.3", "cp.example.com"}) {
      assertThatThrownBy(() -> TlsSettings.none().checkBind(bind))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("DBOPS_SERVER_BIND=" + bind + " is not a loopback address and TLS is off")
          .hasMessageContaining("Set DBOPS_TLS_CERT and DBOPS_TLS_KEY to serve HTTPS")
          .hasMessageContaining("DBOPS_ALLOW_INSECURE=true (dbops server --allow-insecure)");
    }
  }

  @Test
  void loopbackTlsOrAnExplicitAllowanceAreAccepted() {
    for (String bind : new String[] {"127.0.0.1", "127.8.9.10", "::1", "[::1]", "localhost", "LOCALHOST"}) {
      assertThatCode(() -> TlsSettings.none().checkBind(bind)).as(bind).doesNotThrowAnyException();
    }
    assertThatCode(() -> new TlsSettings(null, null, true, Duration.ofSeconds(5)).checkBind("0.0.0.0"))
        .doesNotThrowAnyException();
    assertThatCode(() -> TlsSettings.of(Path.of("c.pem"), Path.of("k.pem"), Duration.ofSeconds(5))
        .checkBind("0.0.0.0")).doesNotThrowAnyException();
  }

  @Test
  void readsTheEnvironmentAndWantsCertificateAndKeyTogether() {
    EnvReader env = new EnvReader(Map.of("DBOPS_TLS_CERT", "/etc/dbops/tls.crt",
        "DBOPS_TLS_KEY", "/etc/dbops/tls.key", "DBOPS_TLS_RELOAD_SECONDS", "2"));
    TlsSettings settings = TlsSettings.fromEnvironment(env);
    assertThat(settings.enabled()).isTrue();
    assertThat(settings.reloadPeriod()).isEqualTo(Duration.ofSeconds(2));
    assertThat(TlsSettings.fromEnvironment(new EnvReader(Map.of("DBOPS_ALLOW_INSECURE", "true")))
        .allowInsecure()).isTrue();

    EnvReader half = new EnvReader(Map.of("DBOPS_TLS_CERT", "/etc/dbops/tls.crt"));
    TlsSettings.fromEnvironment(half);
    assertThatThrownBy(() -> half.throwIfProblems("control plane"))
        .hasMessageContaining("DBOPS_TLS_CERT and DBOPS_TLS_KEY must be set together");
  }
}
