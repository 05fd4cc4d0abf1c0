package io.dbops.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dbops.config.ConfigException;
import io.dbops.controlplane.config.ControlPlaneConfig;
import io.dbops.controlplane.http.ServerLimits;
import io.dbops.controlplane.tls.TestCertificates;
import io.dbops.controlplane.tls.TlsSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 13, TLS served by the control plane: HTTPS, reload without restart, no clear text beyond loopback. */
class TlsIT {
  @TempDir Path dir;

  @Test
  void servesHttpsAndPicksUpReplacedCertificateFilesWithoutARestart() throws Exception {
    TestCertificates certs = new TestCertificates();
    Path cert = dir.resolve("tls.crt");
    Path key = dir.resolve("tls.key");
    X509Certificate first = certs.writeServer(cert, key, TestCertificates.KeyFormat.EC_SEC1);
    TlsSettings tls = TlsSettings.of(cert, key, Duration.ofMillis(200));
    try (RootLogCapture logs = new RootLogCapture();
        ControlPlane controlPlane = new ControlPlane(Fixtures.config(dir.resolve("data")),
        ServerLimits.DEFAULTS, tls)) {
      controlPlane.start();
      assertThat(controlPlane.baseUrl()).startsWith("https://127.0.0.1:");
      assertThat(served(certs, controlPlane)).isEqualTo(first);

      // as cert-manager or an operator would: write new files in place (new key type too)
      X509Certificate second = certs.writeServer(cert, key, TestCertificates.KeyFormat.RSA_PKCS1);
      assertThat(second).isNotEqualTo(first);
      await().atMost(Duration.ofSeconds(20)).until(() -> second.equals(served(certs, controlPlane)));

      // a half-written pair (the new certificate, the old key) keeps the previous one served
      certs.writeServer(cert, dir.resolve("elsewhere.key"), TestCertificates.KeyFormat.PKCS8);
      await().atMost(Duration.ofSeconds(20))
          .until(() -> logs.text().contains("The TLS files changed but do not load"));
      assertThat(logs.text()).contains("is not the key of the first certificate in DBOPS_TLS_CERT");
      assertThat(served(certs, controlPlane)).isEqualTo(second);
    }
  }

  @Test
  void plainHttpOnANonLoopbackAddressIsRefusedNamingTheTlsSettingsAndTheAllowance() {
    ControlPlaneConfig config = ControlPlaneConfig.fromEnvironment(Map.of("DBOPS_SERVER_BIND", "0.0.0.0",
        "DBOPS_SERVER_PORT", "0", "DBOPS_DATA_DIR", dir.resolve("data").toString()));
    try (ControlPlane controlPlane = new ControlPlane(config, Map.of())) {
      assertThatThrownBy(controlPlane::start).isInstanceOf(ConfigException.class)
          .hasMessageContaining("DBOPS_SERVER_BIND=0.0.0.0 is not a loopback address and TLS is off")
          .hasMessageContaining("DBOPS_TLS_CERT and DBOPS_TLS_KEY")
          .hasMessageContaining("DBOPS_ALLOW_INSECURE=true");
    }
    assertThat(dir.resolve("data")).as("refused before anything was created").doesNotExist();

    // the explicit allowance (dbops server --allow-insecure) lets it start
    try (ControlPlane controlPlane = new ControlPlane(config, Map.of("DBOPS_ALLOW_INSECURE", "true"))) {
      controlPlane.start();
      assertThat(new TestClient(controlPlane.baseUrl()).get("/healthz").code()).isEqualTo(200);
    }
  }

  private static X509Certificate served(TestCertificates certs, ControlPlane controlPlane) throws Exception {
    OkHttpClient client = new OkHttpClient.Builder()
        .sslSocketFactory(certs.clientContext().getSocketFactory(), certs.trustManager())
        .connectionPool(new ConnectionPool(0, 1, java.util.concurrent.TimeUnit.SECONDS))
        .callTimeout(Duration.ofSeconds(10))
        .build();
    try (Response response = client.newCall(new Request.Builder()
        .url(controlPlane.baseUrl() + "/healthz").build()).execute()) {
      assertThat(response.code()).isEqualTo(200);
      assertThat(response.body().string()).contains("ok");
      return (X509Certificate) response.handshake().peerCertificates().get(0);
    } finally {
      client.connectionPool().evictAll();
      client.dispatcher().executorService().shutdown();
    }
  }
}
