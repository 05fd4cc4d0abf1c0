package io.dbops.controlplane.notifications;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;

/**
 * Which hosts the control plane may send notifications to ({@code DBOPS_NOTIFY_ALLOW_HOSTS}):
 * default deny. Entries are {@code host}, {@code host:port}, {@code *.domain} or {@code *}. A host
 * that is or resolves to a loopback, link-local, private (site-local, unique-local), wildcard or
 * multicast address is allowed only when an entry names it literally ({@code 127.0.0.1:9000},
 * {@code localhost}, {@code hooks.internal}): a wildcard never opens internal addresses, so an admin
 * token cannot make the control plane probe the operator's network. Immutable and thread-safe.
 */
public final class HostRule {
  static final String SETTING = "DBOPS_NOTIFY_ALLOW_HOSTS";

  /** One entry: a host name or address (lower case), or a {@code *.suffix} or {@code *}. */
  record Entry(String host, int port) {
    boolean wildcard() {
      return host.startsWith("*");
    }

    boolean matches(String h, int p) {
      if (port >= 0 && port != p) {
        return false;
      }
      if ("*".equals(host)) {
        return true;
      }
      if (host.startsWith("*.")) {
        return h.endsWith(host.substring(1)) && h.length() > host.length() - 1;
      }
      return host.equals(h);
    }
  }

  private final List<Entry> entries;

  HostRule(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /** The rule of the raw entries; an invalid entry throws {@link IllegalArgumentException}. */
  public static HostRule of(List<String> raw) {
    return new HostRule(raw.stream().map(HostRule::entry).toList());
  }

  /** Parses one entry (for the settings reader). */
  static Entry entry(String raw) {
    String e = raw.trim().toLowerCase(Locale.ROOT);
    int port = -1;
    String host = e;
    if (e.startsWith("[")) { // [::1]:8080 or [::1]
      int close = e.indexOf(']');
      if (close < 0) {
        throw new IllegalArgumentException("'" + raw + "' has '[' without ']'");
      }
      host = e.substring(1, close);
      String rest = e.substring(close + 1);
      if (!rest.isEmpty()) {
        port = port(raw, rest.startsWith(":") ? rest.substring(1) : rest);
      }
    } else if (e.chars().filter(c -> c == ':').count() == 1) {
      host = e.substring(0, e.indexOf(':'));
      port = port(raw, e.substring(e.indexOf(':') + 1));
    }
    if (host.isEmpty() || host.contains("/") || host.contains("@")
        || (host.contains("*") && !"*".equals(host) && !(host.startsWith("*.")
            && host.indexOf('*', 1) < 0 && host.length() > 2))) {
      throw new IllegalArgumentException("'" + raw + "' must be host, host:port, *.domain or *");
    }
    return new Entry(host, port);
  }

  private static int port(String raw, String text) {
    try {
      int p = Integer.parseInt(text);
      if (p >= 1 && p <= 65535) {
        return p;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new IllegalArgumentException("'" + raw + "' has no valid port after ':'");
  }

  /**
   * Why the URL may not be used, or null when it may; only the name rules, no DNS (for checks
   * when an endpoint is created).
   */
  public String refusal(URI url) {
    if (url == null || url.getScheme() == null || url.getHost() == null) {
      return "the URL must be an absolute http or https URL with a host";
    }
    String scheme = url.getScheme().toLowerCase(Locale.ROOT);
    if (!"http".equals(scheme) && !"https".equals(scheme)) {
      return "the URL must use http or https, not " + scheme;
    }
    if (url.getRawUserInfo() != null) {
      return "the URL must not hold credentials (user:password@); the endpoint's secret signs"
          + " each delivery";
    }
    String host = host(url);
    int port = port(url);
    Entry match = entries.stream().filter(e -> e.matches(host, port)).findFirst().orElse(null);
    if (match == null) {
      return "host '" + host + (url.getPort() >= 0 ? ":" + port : "") + "' is not allowed by "
          + SETTING + (entries.isEmpty() ? " (unset: no host is allowed)" : "")
          + "; the operator can add it there";
    }
    boolean explicit = entries.stream().anyMatch(e -> !e.wildcard() && e.matches(host, port));
    if (!explicit && ("localhost".equals(host) || host.endsWith(".localhost")
        || (literal(host) && internal(address(host))))) {
      return "host '" + host + "' is a loopback or internal address, which a wildcard in "
          + SETTING + " does not allow; the operator must name it there";
    }
    return null;
  }

  /**
   * {@link #refusal(URI)} plus DNS: a host matched only by a wildcard must not resolve to an
   * internal address (checked before each delivery).
   */
  public String refusalResolved(URI url) {
    String byName = refusal(url);
    if (byName != null) {
      return byName;
    }
    String host = host(url);
    int port = port(url);
    if (entries.stream().anyMatch(e -> !e.wildcard() && e.matches(host, port))) {
      return null;
    }
    try {
      for (InetAddress a : InetAddress.getAllByName(host)) {
        if (internal(a)) {
          return "host '" + host + "' resolves to the internal address " + a.getHostAddress()
              + ", which a wildcard in " + SETTING + " does not allow; the operator must name"
              + " the host there";
        }
      }
      return null;
    } catch (UnknownHostException e) {
      return null; // the send fails and is retried; nothing internal was reached
    }
  }

  static boolean internal(InetAddress a) {
    if (a == null) {
      return false;
    }
    byte[] b = a.getAddress();
    boolean uniqueLocal = b.length == 16 && (b[0] & 0xfe) == 0xfc;
    return a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
        || a.isAnyLocalAddress() || a.isMulticastAddress() || uniqueLocal
        || (b.length == 4 && (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64); // 100.64/10 (CGNAT)
  }

  private static boolean literal(String host) {
    return host.matches("[0-9.]+") || host.contains(":");
  }

  private static InetAddress address(String literal) {
    try {
      return InetAddress.getByName(literal); // a literal: no DNS lookup
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static String host(URI url) {
    String h = url.getHost().toLowerCase(Locale.ROOT);
    return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
  }

  private static int port(URI url) {
    if (url.getPort() >= 0) {
      return url.getPort();
    }
    return "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
  }
}
