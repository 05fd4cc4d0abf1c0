package io.dbops.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbops.config.ConfigException;
import io.dbops.agent.config.DelegateConfig;
import io.dbops.protocol.Frame;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** wss:// with a private CA from DBOPS_CA_BUNDLE and a client certificate. */
class TlsIT {
  @TempDir Path dir;
  private final HeldCertificate root = new HeldCertificate.Builder().certificateAuthority(0).build();
  private final HeldCertificate client = new HeldCertificate.Builder().commonName("delegate-dc1").signedBy(root).build();
  private FakeControlPlane controlPlane;
  private Delegate delegate;

  @BeforeEach
  void start() throws Exception {
    controlPlane = new FakeControlPlane();
    // MockWebServer's URLs name the canonical host name of localhost
    String host = java.net.InetAddress.getByName("localhost").getCanonicalHostName();
    HeldCertificate server = new HeldCertificate.Builder()
        .addSubjectAlternativeName(host).addSubjectAlternativeName("localhost")
        .addSubjectAlternativeName("127.0.0.1").signedBy(root).build();
    HandshakeCertificates serverCertificates = new HandshakeCertificates.Builder()
        .heldCertificate(server).addTrustedCertificate(root.certificate()).build();
    controlPlane.server.useHttps(serverCertificates.sslSocketFactory(), false);
    controlPlane.server.requestClientAuth();
    controlPlane.start();
  }

  @AfterEach
  void stop() throws Exception {
    if (delegate != null) {
      delegate.close();
    }
    controlPlane.close();
  }

  @Test
  void trustsTheCaBundleAndPresentsTheClientCertificate() throws Exception {
    Path ca = Files.writeString(dir.resolve("ca.pem"), root.certificatePem());
    Path cert = Files.writeString(dir.resolve("client.pem"), client.certificatePem());
    Path key = Files.writeString(dir.resolve("client.key"), client.privateKeyPkcs8Pem());
    controlPlane.acceptNext();
    assertThat(controlPlane.url()).startsWith("https://");
    delegate = new Delegate(controlPlane.config("dlg_t", dir.resolve("state"), 1, Duration.ofMillis(300))
        .toBuilder().tls(new DelegateConfig.Tls(false, ca, cert, key)).build(), name -> null);
    delegate.start();

    FakeControlPlane.Session session = controlPlane.nextSession();
    session.next(Frame.Hello.class);
    session.welcome(15);
    assertThat(delegate.awaitConnected(Duration.ofSeconds(5))).isTrue();
    X509Certificate presented = (X509Certificate) controlPlane.server.takeRequest().getHandshake()
        .peerCertificates().get(0);
    assertThat(presented.getSubjectX500Principal().getName()).isEqualTo("CN=delegate-dc1");
  }

  @Test
  void doesNotTrustAServerSignedByAnUnknownCa() throws Exception {
    controlPlane.acceptNext();
    delegate = new Delegate(controlPlane.config("dlg_t", dir.resolve("state"), 1, Duration.ofMillis(300))
        .toBuilder().tls(DelegateConfig.Tls.DEFAULT).build(), name -> null);
    delegate.start();

    assertThat(delegate.awaitConnected(Duration.ofSeconds(2))).isFalse();
  }

  @Test
  void refusesABundleThatIsNotPemNamingTheVariable() throws Exception {
    Path ca = Files.writeString(dir.resolve("ca.pem"), "not a certificate");
    DelegateConfig config = controlPlane.config("dlg_t", dir.resolve("state"), 1, Duration.ofMillis(300))
        .toBuilder().tls(new DelegateConfig.Tls(false, ca, null, null)).build();

    assertThatThrownBy(() -> new Delegate(config, name -> null))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("DBOPS_CA_BUNDLE " + ca + " contains no PEM certificate");
  }
}
