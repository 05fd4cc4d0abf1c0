package io.dbops.liteengine.config;

import io.dbops.config.EnvReader;
import io.dbops.support.Secrets;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import okhttp3.HttpUrl;

/**
 * What the lite engine may call on behalf of a request (contract C): only this pod's step
 * containers, on loopback at the ports of {@value #STEP_PORTS}, and only the log service of
 * {@value #LOG_SERVICE_URL}. Immutable.
 *
 * @param stepPorts the ports of this pod's step containers; empty for a pod without step containers
 *     ({@value #STEP_PORTS}={@value #NONE}), which forwards no step
 * @param logServiceUrl the only log service base URL, normalised (no trailing slash); null when
 *     shipping is {@code off} and every request asking for it is refused
 */
public record ForwardingRules(Set<Integer> stepPorts, String logServiceUrl) {
  public static final String STEP_PORTS = "DBOPS_POD_STEP_PORTS";
  public static final String LOG_SERVICE_URL = "DBOPS_LOG_SERVICE_URL";
  /** The value of {@value #LOG_SERVICE_URL} that disables log shipping. */
  public static final String OFF = "off";
  /** The value of {@value #STEP_PORTS} for a pod without step containers. */
  public static final String NONE = "none";
  private static final Set<String> LOOPBACK_NAMES = Set.of("", "127.0.0.1", "localhost");

  public ForwardingRules {
    stepPorts = stepPorts == null ? Set.of() : Set.copyOf(stepPorts);
    for (int port : stepPorts) {
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException(STEP_PORTS + " ports must be between 1 and 65535, not " + port);
      }
    }
    if (logServiceUrl != null) {
      String normalised = normalise(logServiceUrl);
      if (normalised == null) {
        throw new IllegalArgumentException(LOG_SERVICE_URL + " must be an http(s) URL or 'off'");
      }
      logServiceUrl = normalised;
    }
  }

  /** Reads both settings, adding a problem for each one unset or invalid; null when there was one. */
  static ForwardingRules read(EnvReader reader) {
    int before = reader.problems().list().size();
    boolean none = NONE.equalsIgnoreCase(reader.string(STEP_PORTS, ""));
    Set<Integer> ports = none ? Set.of() : new TreeSet<>(reader.list(STEP_PORTS, ForwardingRules::port));
    if (ports.isEmpty() && !none) {
      reader.problem(STEP_PORTS + " must be set to the ports of this pod's step containers (for example "
          + "20002,20003; 'none' for a pod without step containers): the lite engine forwards steps to no"
          + " other port");
    }
    String url = reader.string(LOG_SERVICE_URL);
    if (url == null) {
      reader.problem(LOG_SERVICE_URL + " must be set to the log service the lite engine ships step logs to "
          + "(the control plane's URL), or 'off'");
    } else if (url.equalsIgnoreCase(OFF)) {
      url = null;
    } else if (normalise(url) == null) {
      reader.problem(LOG_SERVICE_URL + " must be an http(s) URL or 'off', not '" + Secrets.maskUrl(url) + "'");
    }
    if (reader.problems().list().size() > before) {
      return null;
    }
    return new ForwardingRules(ports, url);
  }

  /**
   * Why a step on {@code host:port} may not be run; null when it may.
   *
   * @param host the request's step_host (empty means 127.0.0.1)
   */
  public String stepRefusal(String host, int port) {
    String name = host == null ? "" : host.trim().toLowerCase(Locale.ROOT);
    if (LOOPBACK_NAMES.contains(name) && stepPorts.contains(port)) {
      return null;
    }
    return "step container " + (name.isEmpty() ? "127.0.0.1" : host) + ":" + port + " is not one of this pod's"
        + " (rule: pod step containers; the lite engine forwards only to 127.0.0.1 on the ports of "
        + STEP_PORTS + "=" + LiteEngineConfig.portList(stepPorts) + ")";
  }

  /** Why logs may not be shipped to {@code serviceUrl}; null when they may. */
  public String logRefusal(String serviceUrl) {
    if (logServiceUrl == null) {
      return "log shipping is off on this lite engine (rule: log service; " + LOG_SERVICE_URL + "=off)";
    }
    if (logServiceUrl.equals(normalise(serviceUrl))) {
      return null;
    }
    return "log service '" + Secrets.maskUrl(serviceUrl) + "' is not this pod's (rule: log service; the lite"
        + " engine ships logs only to " + LOG_SERVICE_URL + "=" + Secrets.maskUrl(logServiceUrl) + ")";
  }

  /** The URL with scheme and host in lower case, default port dropped, and no trailing slash; null if not http(s). */
  static String normalise(String url) {
    HttpUrl parsed = url == null ? null : HttpUrl.parse(url.trim());
    if (parsed == null) {
      return null;
    }
    String text = parsed.toString();
    while (text.endsWith("/")) {
      text = text.substring(0, text.length() - 1);
    }
    return text;
  }

  private static Integer port(String entry) {
    try {
      int port = Integer.parseInt(entry);
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("ports must be between 1 and 65535, not " + entry);
      }
      return port;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("must be a comma list of port numbers, not '" + entry + "'");
    }
  }
}
