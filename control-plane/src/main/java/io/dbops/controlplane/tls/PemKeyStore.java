package io.dbops.controlplane.tls;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds an in-memory key store from a PEM certificate chain and a PEM private key: PKCS#8
 * ({@code PRIVATE KEY}), PKCS#1 ({@code RSA PRIVATE KEY}) or SEC1 ({@code EC PRIVATE KEY}).
 * Encrypted keys are refused. Errors name the file, never key material. Stateless.
 */
final class PemKeyStore {
  /** Password of the in-memory store only; it never leaves the process. */
  static final char[] STORE_PASSWORD = "dbops-in-memory".toCharArray();
  static final String ALIAS = "server";
  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END \\1-----");
  // DER: AlgorithmIdentifier of rsaEncryption (1.2.840.113549.1.1.1) with NULL parameters
  private static final byte[] RSA_ALGORITHM = hex("300d06092a864886f70d0101010500");
  // DER: OID id-ecPublicKey (1.2.840.10045.2.1)
  private static final byte[] EC_PUBLIC_KEY_OID = hex("06072a8648ce3d0201");

  private PemKeyStore() {}

  static KeyStore load(Path certificateFile, Path keyFile) throws IOException, GeneralSecurityException {
    List<Certificate> chain = List.copyOf(CertificateFactory.getInstance("X.509")
        .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(certificateFile))));
    if (chain.isEmpty()) {
      throw new GeneralSecurityException("DBOPS_TLS_CERT " + certificateFile + " holds no PEM certificate");
    }
    PrivateKey key = privateKey(Files.readString(keyFile, StandardCharsets.US_ASCII), keyFile,
        chain.get(0).getPublicKey());
    if (!matches(key, chain.get(0).getPublicKey())) {
      throw new GeneralSecurityException("DBOPS_TLS_KEY " + keyFile + " is not the key of the first"
          + " certificate in DBOPS_TLS_CERT " + certificateFile + " (the server's own certificate comes first)");
    }
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry(ALIAS, key, STORE_PASSWORD, chain.toArray(new Certificate[0]));
    return store;
  }

  /** Signs a probe with the private key and checks it with the certificate's public key. */
  private static boolean matches(PrivateKey key, java.security.PublicKey publicKey) {
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      default -> key.getAlgorithm(); // Ed25519, Ed448
    };
    try {
      byte[] probe = "dbops key check".getBytes(StandardCharsets.US_ASCII);
      java.security.Signature signer = java.security.Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      java.security.Signature verifier = java.security.Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /**
   * @param certificateKey the public key of the certificate: an EC key in SEC1 form that names no
   *     curve (some tools leave it out) is on the certificate's curve
   */
  static PrivateKey privateKey(String pem, Path file, java.security.PublicKey certificateKey)
      throws GeneralSecurityException {
    Matcher m = BLOCK.matcher(pem);
    while (m.find()) {
      String type = m.group(1);
      if (!type.endsWith("PRIVATE KEY")) {
        continue;
      }
      byte[] der = Base64.getMimeDecoder().decode(m.group(2).trim());
      switch (type) {
        case "PRIVATE KEY":
          return pkcs8(der);
        case "RSA PRIVATE KEY":
          return KeyFactory.getInstance("RSA").generatePrivate(
              new PKCS8EncodedKeySpec(wrap(RSA_ALGORITHM, der)));
        case "EC PRIVATE KEY":
          byte[] curve = Der.ecCurveOid(der);
          byte[] algorithm = curve != null ? Der.sequence(concat(EC_PUBLIC_KEY_OID, curve))
              // SubjectPublicKeyInfo ::= SEQUENCE { AlgorithmIdentifier, BIT STRING }
              : Der.firstElement(certificateKey.getEncoded());
          return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(wrap(algorithm, der)));
        default:
          throw new GeneralSecurityException("DBOPS_TLS_KEY " + file + " holds a " + type
              + ", which is not supported: give an unencrypted PKCS#8, PKCS#1 or EC key");
      }
    }
    throw new GeneralSecurityException("DBOPS_TLS_KEY " + file + " holds no PEM private key");
  }

  private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    GeneralSecurityException last = null;
    for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "Ed448"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        last = e;
      }
    }
    throw new GeneralSecurityException("the PKCS#8 key is not an RSA, EC or EdDSA key", last);
  }

  /** PrivateKeyInfo ::= SEQUENCE { version 0, algorithm, OCTET STRING privateKey }. */
  private static byte[] wrap(byte[] algorithm, byte[] key) {
    byte[] version = {0x02, 0x01, 0x00};
    return Der.sequence(concat(concat(version, algorithm), Der.tlv(0x04, key)));
  }

  private static byte[] concat(byte[] a, byte[] b) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(a.length + b.length);
    out.writeBytes(a);
    out.writeBytes(b);
    return out.toByteArray();
  }

  private static byte[] hex(String hex) {
    byte[] bytes = new byte[hex.length() / 2];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
    }
    return bytes;
  }
}
