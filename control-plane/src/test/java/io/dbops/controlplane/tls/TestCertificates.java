package io.dbops.controlplane.tls;

import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A test CA and the server certificates it signs, written as PEM files (BouncyCastle). */
public final class TestCertificates {
  private final AtomicLong serials = new AtomicLong(1000);
  private final KeyPair caKeys;
  public final X509Certificate ca;

  public TestCertificates() throws Exception {
    caKeys = ec();
    X500Name name = new X500Name("CN=dbops test CA");
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(), notBefore(),
        notAfter(), name, caKeys.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    ca = sign(b, caKeys.getPrivate());
  }

  /** Key formats the server reads. */
  public enum KeyFormat { PKCS8, RSA_PKCS1, EC_SEC1 }

  /**
   * Writes a server certificate for 127.0.0.1 and localhost (chain: leaf, CA) and its key.
   *
   * @return the leaf certificate
   */
  public X509Certificate writeServer(Path certFile, Path keyFile, KeyFormat format) throws Exception {
    KeyPair keys = format == KeyFormat.RSA_PKCS1 ? rsa() : ec();
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name("CN=dbops test CA"),
        serial(), notBefore(), notAfter(), new X500Name("CN=control plane " + serials.get()),
        keys.getPublic());
    b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
        new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
        new GeneralName(GeneralName.dNSName, "localhost")}));
    X509Certificate leaf = sign(b, caKeys.getPrivate());
    Files.writeString(certFile, pem(leaf) + pem(ca));
    Files.writeString(keyFile, format == KeyFormat.PKCS8 ? pkcs8(keys.getPrivate()) : pem(keys.getPrivate()));
    return leaf;
  }

  /** An SSL context that trusts only this CA. */
  public SSLContext clientContext() throws Exception {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, new javax.net.ssl.TrustManager[] {trustManager()}, null);
    return context;
  }

  public X509TrustManager trustManager() throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    return (X509TrustManager) tmf.getTrustManagers()[0];
  }

  static String pkcs8(PrivateKey key) {
    return "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
  }

  /** Certificates as CERTIFICATE; private keys in OpenSSL's traditional form (PKCS#1, SEC1). */
  static String pem(Object o) throws Exception {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(o);
    }
    return out.toString();
  }

  private X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key) throws Exception {
    return new JcaX509CertificateConverter().getCertificate(
        b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
  }

  private BigInteger serial() {
    return BigInteger.valueOf(serials.incrementAndGet());
  }

  private static Date notBefore() {
    return Date.from(Instant.now().minus(Duration.ofHours(1)));
  }

  private static Date notAfter() {
    return Date.from(Instant.now().plus(Duration.ofDays(2)));
  }

  static KeyPair ec() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  static KeyPair rsa() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    return g.generateKeyPair();
  }
}
