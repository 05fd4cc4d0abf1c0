package io.dbops.controlplane.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemKeyStoreTest {
  @TempDir Path dir;

  @Test
  void readsAChainWithItsKeyInEveryKeyFormat() throws Exception {
    TestCertificates certs = new TestCertificates();
    for (TestCertificates.KeyFormat format : TestCertificates.KeyFormat.values()) {
      Path cert = dir.resolve(format + ".crt");
      Path key = dir.resolve(format + ".key");
      X509Certificate leaf = certs.writeServer(cert, key, format);
      assertThat(Files.readString(key)).contains(switch (format) {
        case PKCS8 -> "BEGIN PRIVATE KEY";
        case RSA_PKCS1 -> "BEGIN RSA PRIVATE KEY";
        case EC_SEC1 -> "BEGIN EC PRIVATE KEY";
      });
      KeyStore store = PemKeyStore.load(cert, key);
      assertThat(store.getCertificate(PemKeyStore.ALIAS)).as(format.name()).isEqualTo(leaf);
      assertThat(store.getCertificateChain(PemKeyStore.ALIAS)).hasSize(2);
      assertThat(store.getKey(PemKeyStore.ALIAS, PemKeyStore.STORE_PASSWORD).getAlgorithm())
          .isEqualTo(format == TestCertificates.KeyFormat.RSA_PKCS1 ? "RSA" : "EC");
    }
  }

  @Test
  void readsAnOpensslStyleEcKeyThatNamesItsCurve() throws Exception {
    TestCertificates certs = new TestCertificates();
    Path cert = dir.resolve("ec.crt");
    Path key = dir.resolve("ec.key");
    X509Certificate leaf = certs.writeServer(cert, key, TestCertificates.KeyFormat.EC_SEC1);
    java.security.interfaces.ECPrivateKey ec = (java.security.interfaces.ECPrivateKey)
        PemKeyStore.load(cert, key).getKey(PemKeyStore.ALIAS, PemKeyStore.STORE_PASSWORD);
    byte[] sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(256, ec.getS(),
        new org.bouncycastle.asn1.ASN1ObjectIdentifier("1.2.840.10045.3.1.7")).getEncoded();
    Files.writeString(key, "-----BEGIN EC PRIVATE KEY-----\n"
        + java.util.Base64.getMimeEncoder().encodeToString(sec1) + "\n-----END EC PRIVATE KEY-----\n");
    assertThat(PemKeyStore.load(cert, key).getCertificate(PemKeyStore.ALIAS)).isEqualTo(leaf);
  }

  @Test
  void refusesAKeyFileWithoutAKeyNamingTheSettingAndNeverItsContent() throws Exception {
    TestCertificates certs = new TestCertificates();
    Path cert = dir.resolve("tls.crt");
    Path key = dir.resolve("tls.key");
    certs.writeServer(cert, key, TestCertificates.KeyFormat.PKCS8);
    Files.writeString(key, "-----BEGIN ENCRYPTED PRIVATE KEY-----\nc2VjcmV0\n-----END ENCRYPTED PRIVATE KEY-----\n");
    assertThatThrownBy(() -> PemKeyStore.load(cert, key))
        .hasMessage("DBOPS_TLS_KEY " + key + " holds a ENCRYPTED PRIVATE KEY, which is not supported:"
            + " give an unencrypted PKCS#8, PKCS#1 or EC key")
        .message().doesNotContain("c2VjcmV0");
    certs.writeServer(cert, dir.resolve("other.key"), TestCertificates.KeyFormat.PKCS8);
    Files.copy(dir.resolve("other.key"), key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    certs.writeServer(cert, dir.resolve("third.key"), TestCertificates.KeyFormat.PKCS8);
    assertThatThrownBy(() -> PemKeyStore.load(cert, key))
        .hasMessage("DBOPS_TLS_KEY " + key + " is not the key of the first certificate in DBOPS_TLS_CERT "
            + cert + " (the server's own certificate comes first)");
    Files.writeString(key, "nothing here");
    assertThatThrownBy(() -> PemKeyStore.load(cert, key))
        .hasMessage("DBOPS_TLS_KEY " + key + " holds no PEM private key");
  }
}
