package io.dbops.controlplane.tls;

import io.dbops.config.ConfigException;
import io.dbops.config.EnvReader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * How the control plane serves HTTP (docs/operations.md "TLS").
 *
 * @param certificate PEM certificate chain, leaf first ({@code DBOPS_TLS_CERT}); null: plain HTTP
 * @param key PEM private key, PKCS#8, PKCS#1 (RSA) or SEC1 (EC) ({@code DBOPS_TLS_KEY})
 * @param allowInsecure plain HTTP on a non-loopback address is allowed
 *     ({@code DBOPS_ALLOW_INSECURE}, {@code dbops server --allow-insecure}; default false)
 * @param reloadPeriod how often the two files are checked for changes
 *     ({@code DBOPS_TLS_RELOAD_SECONDS}, default 5)
 */
public record TlsSettings(Path certificate, Path key, boolean allowInsecure, Duration reloadPeriod) {
  public static final Duration DEFAULT_RELOAD_PERIOD = Duration.ofSeconds(5);
  static final String COMPONENT = "control plane";

  public TlsSettings {
    if ((certificate == null) != (key == null)) {
      throw new ConfigException(COMPONENT, "DBOPS_TLS_CERT and DBOPS_TLS_KEY must be set together"
          + " (a PEM certificate chain and its private key), or neither for plain HTTP");
    }
    if (reloadPeriod == null || reloadPeriod.isNegative() || reloadPeriod.isZero()) {
      throw new IllegalArgumentException("the reload period must be positive");
    }
  }

  /** Plain HTTP, loopback only. */
  public static TlsSettings none() {
    return new TlsSettings(null, null, false, DEFAULT_RELOAD_PERIOD);
  }

  /** HTTPS from the two PEM files. */
  public static TlsSettings of(Path certificate, Path key, Duration reloadPeriod) {
    return new TlsSettings(certificate, key, false, reloadPeriod);
  }

  /** Reads the settings; malformed values become problems of {@code env}. */
  public static TlsSettings fromEnvironment(EnvReader env) {
    Path cert = env.path("DBOPS_TLS_CERT", null);
    Path key = env.path("DBOPS_TLS_KEY", null);
    if ((cert == null) != (key == null)) {
      env.problem("DBOPS_TLS_CERT and DBOPS_TLS_KEY must be set together (a PEM certificate chain"
          + " and its private key), or neither for plain HTTP");
      cert = null;
      key = null;
    }
    return new TlsSettings(cert, key, env.bool("DBOPS_ALLOW_INSECURE", false),
        env.seconds("DBOPS_TLS_RELOAD_SECONDS", DEFAULT_RELOAD_PERIOD, 1));
  }

  public boolean enabled() {
    return certificate != null;
  }

  /**
   * Refuses plain HTTP on an address other than loopback unless {@link #allowInsecure}: API tokens,
   * delegate tokens and log tokens would cross the network in clear text.
   *
   * @throws ConfigException naming DBOPS_TLS_CERT/DBOPS_TLS_KEY and DBOPS_ALLOW_INSECURE
   */
  public void checkBind(String bindAddress) {
    if (enabled() || allowInsecure || isLoopback(bindAddress)) {
      return;
    }
    throw new ConfigException(COMPONENT, "DBOPS_SERVER_BIND=" + bindAddress + " is not a loopback"
        + " address and TLS is off, so tokens would cross the network in clear text (rule: no plain"
        + " HTTP beyond loopback). Set DBOPS_TLS_CERT and DBOPS_TLS_KEY to serve HTTPS, or set"
        + " DBOPS_ALLOW_INSECURE=true (dbops server --allow-insecure) when a TLS proxy in front"
        + " terminates HTTPS");
  }

  /** 127.0.0.0/8, ::1 and localhost; never resolves other names (a name could point anywhere). */
  static boolean isLoopback(String bindAddress) {
    if (bindAddress == null) {
      return false;
    }
    String host = bindAddress.trim().toLowerCase(Locale.ROOT);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    if (host.equals("localhost")) {
      return true;
    }
    if (!host.matches("[0-9.]+|[0-9a-f:.]*:[0-9a-f:.]*")) {
      return false; // a name: not resolved here
    }
    try {
      return InetAddress.getByName(host).isLoopbackAddress(); // a literal: no lookup
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
