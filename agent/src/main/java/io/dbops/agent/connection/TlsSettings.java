package io.dbops.agent.connection;

import io.dbops.config.ConfigException;
import io.dbops.agent.config.DelegateConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.OkHttpClient;
import okhttp3.tls.Certificates;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;

/**
 * Applies {@link DelegateConfig.Tls} to an OkHttp client: the system CAs plus those of {@code
 * DBOPS_CA_BUNDLE}, and the client certificate of {@code DBOPS_CLIENT_CERT}/{@code
 * DBOPS_CLIENT_KEY}. Unreadable or invalid PEM is a {@link ConfigException} naming the variable.
 */
public final class TlsSettings {
  private static final Pattern CERTIFICATE = Pattern.compile(
      "-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", Pattern.DOTALL);

  private TlsSettings() {}

  /** {@code builder} with the configured trust and client certificate; unchanged without either. */
  public static OkHttpClient.Builder apply(DelegateConfig.Tls tls, OkHttpClient.Builder builder) {
    if (tls.caBundle() == null && tls.clientCert() == null) {
      return builder;
    }
    HandshakeCertificates.Builder certificates = new HandshakeCertificates.Builder().addPlatformTrustedCertificates();
    List<String> problems = new ArrayList<>();
    if (tls.caBundle() != null) {
      try {
        List<String> blocks = certificates(read(tls.caBundle()));
        if (blocks.isEmpty()) {
          problems.add("DBOPS_CA_BUNDLE " + tls.caBundle() + " contains no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        for (String block : blocks) {
          certificates.addTrustedCertificate(Certificates.decodeCertificatePem(block));
        }
      } catch (IOException | IllegalArgumentException e) {
        problems.add("DBOPS_CA_BUNDLE " + tls.caBundle() + " is not a readable PEM certificate bundle: " + e.getMessage());
      }
    }
    if (tls.clientCert() != null) {
      try {
        List<String> chain = certificates(read(tls.clientCert()));
        if (chain.isEmpty()) {
          throw new IllegalArgumentException("no PEM certificate in DBOPS_CLIENT_CERT " + tls.clientCert());
        }
        String key = read(tls.clientKey());
        if (!key.contains("-----BEGIN PRIVATE KEY-----")) {
          throw new IllegalArgumentException("DBOPS_CLIENT_KEY " + tls.clientKey()
              + " must be an unencrypted PKCS#8 PEM key (-----BEGIN PRIVATE KEY-----);"
              + " convert with: openssl pkcs8 -topk8 -nocrypt -in key.pem -out key.pk8.pem");
        }
        HeldCertificate held = HeldCertificate.decode(chain.get(0) + "\n" + key);
        X509Certificate[] intermediates = chain.stream().skip(1)
            .map(Certificates::decodeCertificatePem).toArray(X509Certificate[]::new);
        certificates.heldCertificate(held, intermediates);
      } catch (IOException | IllegalArgumentException e) {
        problems.add("DBOPS_CLIENT_CERT / DBOPS_CLIENT_KEY are not a usable PEM certificate and PKCS#8 key: "
            + e.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException("delegate", problems);
    }
    HandshakeCertificates handshake = certificates.build();
    return builder.sslSocketFactory(handshake.sslSocketFactory(), handshake.trustManager());
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file);
  }

  private static List<String> certificates(String pem) {
    List<String> blocks = new ArrayList<>();
    Matcher m = CERTIFICATE.matcher(pem);
    while (m.find()) {
      blocks.add(m.group());
    }
    return blocks;
  }
}
