package io.dbops.controlplane.tls;

import io.dbops.config.ConfigException;
import io.dbops.support.ExecutorShutdown;
import io.dbops.support.NamedThreadFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The certificate the control plane serves, from {@code DBOPS_TLS_CERT} and {@code DBOPS_TLS_KEY},
 * reloaded without a restart when either file changes. {@link #start} loads the files (a missing
 * or unreadable file is a {@link ConfigException}) and starts the thread {@code cp-tls-reload},
 * which reads both files every {@link TlsSettings#reloadPeriod}; when their content changed it
 * swaps the certificate in the live {@link SslContextFactory} (new handshakes use it, open
 * connections keep theirs). A change that does not load (for example a certificate written before
 * its key) is logged at ERROR and the previous certificate stays in use until the files are
 * complete. {@link #close} stops the thread; idempotent. Thread-safe.
 */
public final class ServerCertificate implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ServerCertificate.class);

  private final TlsSettings settings;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final SslContextFactory.Server factory = new SslContextFactory.Server();
  private volatile byte[] loadedDigest = new byte[0];
  private volatile byte[] failedDigest = new byte[0];
  private volatile ScheduledExecutorService reloader;

  public ServerCertificate(TlsSettings settings) {
    if (!settings.enabled()) {
      throw new IllegalArgumentException("TLS is not configured");
    }
    this.settings = settings;
  }

  /** Loads the files and starts watching them; returns the factory for the HTTPS connector. */
  public SslContextFactory.Server start() {
    byte[] digest = digest();
    try {
      factory.setKeyStore(PemKeyStore.load(settings.certificate(), settings.key()));
    } catch (IOException | GeneralSecurityException e) {
      throw new ConfigException(TlsSettings.COMPONENT, "Cannot use DBOPS_TLS_CERT "
          + settings.certificate() + " with DBOPS_TLS_KEY " + settings.key() + ": " + e.getMessage());
    }
    factory.setKeyStorePassword(new String(PemKeyStore.STORE_PASSWORD));
    factory.setKeyManagerPassword(new String(PemKeyStore.STORE_PASSWORD));
    factory.setIncludeProtocols("TLSv1.3", "TLSv1.2");
    loadedDigest = digest;
    log.info("Serving HTTPS with {}", describe(settings));
    ScheduledExecutorService s =
        Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory("cp-tls-reload", true));
    long period = settings.reloadPeriod().toMillis();
    s.scheduleWithFixedDelay(this::reloadIfChanged, period, period, TimeUnit.MILLISECONDS);
    reloader = s;
    return factory;
  }

  /** Reloads when the files changed since the last load; also called by tests. */
  void reloadIfChanged() {
    try {
      byte[] digest = digest();
      if (Arrays.equals(digest, loadedDigest) || Arrays.equals(digest, failedDigest)) {
        return;
      }
      KeyStore store;
      try {
        store = PemKeyStore.load(settings.certificate(), settings.key());
      } catch (IOException | GeneralSecurityException e) {
        failedDigest = digest; // logged once per content, retried when the files change again
        log.error("The TLS files changed but do not load ({}); still serving the previous"
            + " certificate. Fix DBOPS_TLS_CERT {} / DBOPS_TLS_KEY {}", e.getMessage(),
            settings.certificate(), settings.key());
        return;
      }
      factory.reload(f -> f.setKeyStore(store));
      loadedDigest = digest;
      log.info("Reloaded the TLS certificate: now serving {}", describe(settings));
    } catch (Exception e) {
      log.error("Checking the TLS files for changes failed", e);
    }
  }

  private byte[] digest() {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(Files.readAllBytes(settings.certificate()));
      sha.update((byte) 0);
      sha.update(Files.readAllBytes(settings.key()));
      return sha.digest();
    } catch (IOException e) {
      return ("unreadable: " + e).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String describe(TlsSettings settings) {
    try {
      KeyStore store = PemKeyStore.load(settings.certificate(), settings.key());
      X509Certificate leaf = (X509Certificate) store.getCertificate(PemKeyStore.ALIAS);
      return "the certificate of " + leaf.getSubjectX500Principal().getName() + " (valid until "
          + leaf.getNotAfter().toInstant() + ") from " + settings.certificate();
    } catch (IOException | GeneralSecurityException e) {
      return settings.certificate().toString();
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      ScheduledExecutorService s = reloader;
      if (s != null) {
        ExecutorShutdown.now(s);
      }
    }
  }
}
