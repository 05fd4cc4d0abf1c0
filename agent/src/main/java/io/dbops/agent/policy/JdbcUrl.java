package io.dbops.agent.policy;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The parts of a JDBC URL the allowlists look at.
 *
 * @param driver "postgresql", "mariadb", "mysql" or "h2"
 * @param hosts the network targets (host, port), empty for an H2 embedded database
 * @param h2Path the H2 file database's path as written (after {@code file:}), or null
 * @param properties the URL's properties, by name as written
 */
record JdbcUrl(String driver, List<Host> hosts, String h2Path, Map<String, String> properties) {
  record Host(String host, int port) {}

  /** @throws PolicyRefusal when the URL cannot be read the way its driver would read it */
  static JdbcUrl parse(String url) throws PolicyRefusal {
    if (url == null || url.isBlank()) {
      throw new PolicyRefusal("The step names no JDBC URL");
    }
    if (url.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw PolicyRefusal.never("A JDBC URL with control characters", "JDBC URLs", "write a plain URL");
    }
    String lower = url.toLowerCase(Locale.ROOT);
    if (lower.startsWith("jdbc:postgresql:")) {
      return network("postgresql", url, url.substring("jdbc:postgresql:".length()), 5432, '&');
    }
    if (lower.startsWith("jdbc:mariadb:") || lower.startsWith("jdbc:mysql:")) {
      String driver = lower.startsWith("jdbc:mariadb:") ? "mariadb" : "mysql";
      String rest = url.substring(("jdbc:" + driver + ":").length());
      // an optional high-availability mode: jdbc:mariadb:replication://...
      int modeEnd = rest.indexOf("://");
      if (modeEnd > 0 && rest.substring(0, modeEnd).matches("[A-Za-z]+")) {
        rest = rest.substring(modeEnd + 1);
      }
      if (!rest.startsWith("//")) {
        throw unreadable(url, "write jdbc:" + driver + "://HOST:PORT/DATABASE");
      }
      return network(driver, url, rest, 3306, '&');
    }
    if (lower.startsWith("jdbc:h2:")) {
      return h2(url, url.substring("jdbc:h2:".length()));
    }
    String prefix = lower.indexOf(':', 5) > 0 ? lower.substring(0, lower.indexOf(':', 5) + 1) : lower;
    throw PolicyRefusal.never("JDBC driver " + prefix, "JDBC URLs",
        "only jdbc:postgresql:, jdbc:mariadb:, jdbc:mysql: and jdbc:h2: URLs are checked and allowed");
  }

  private static JdbcUrl network(String driver, String url, String rest, int defaultPort, char separator)
      throws PolicyRefusal {
    int query = rest.indexOf('?');
    String location = query < 0 ? rest : rest.substring(0, query);
    Map<String, String> properties = query < 0 ? Map.of() : properties(url, rest.substring(query + 1), separator);
    List<Host> hosts = new ArrayList<>();
    if (!location.startsWith("//")) {
      hosts.add(new Host("localhost", defaultPort)); // jdbc:postgresql:database
    } else {
      int slash = location.indexOf('/', 2);
      String authority = slash < 0 ? location.substring(2) : location.substring(2, slash);
      if (authority.isEmpty()) {
        hosts.add(new Host("localhost", defaultPort));
      }
      for (String hostPort : authority.isEmpty() ? new String[0] : authority.split(",")) {
        hosts.add(host(url, hostPort, defaultPort));
      }
    }
    return new JdbcUrl(driver, hosts, null, properties);
  }

  private static Host host(String url, String hostPort, int defaultPort) throws PolicyRefusal {
    if (hostPort.contains("@") || hostPort.contains("(") || hostPort.contains("=")) {
      throw unreadable(url, "write each host as HOST:PORT, without credentials or address=(...) forms");
    }
    String host = hostPort;
    String port = null;
    if (hostPort.startsWith("[")) {
      int close = hostPort.indexOf(']');
      if (close < 0) {
        throw unreadable(url, "an IPv6 address needs its closing ]");
      }
      host = hostPort.substring(0, close + 1);
      if (close + 1 < hostPort.length()) {
        if (hostPort.charAt(close + 1) != ':') {
          throw unreadable(url, "write each host as HOST:PORT");
        }
        port = hostPort.substring(close + 2);
      }
    } else if (hostPort.contains(":")) {
      host = hostPort.substring(0, hostPort.indexOf(':'));
      port = hostPort.substring(hostPort.indexOf(':') + 1);
    }
    if (host.isEmpty() || !host.matches("\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9._-]+")) {
      throw unreadable(url, "write each host as HOST:PORT");
    }
    try {
      int p = port == null || port.isEmpty() ? defaultPort : Integer.parseInt(port);
      if (p < 1 || p > 65535) {
        throw new NumberFormatException();
      }
      return new Host(host, p);
    } catch (NumberFormatException e) {
      throw unreadable(url, "the port must be a number 1-65535");
    }
  }

  private static Map<String, String> properties(String url, String query, char separator) throws PolicyRefusal {
    Map<String, String> properties = new LinkedHashMap<>();
    for (String pair : query.split(java.util.regex.Pattern.quote(String.valueOf(separator)))) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name;
      try {
        name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8).trim();
      } catch (IllegalArgumentException e) {
        throw unreadable(url, "a property name is not valid URL encoding");
      }
      if (!name.matches("[A-Za-z0-9_.-]+")) {
        throw unreadable(url, "property names are letters, digits, '_', '.' and '-'");
      }
      properties.put(name, eq < 0 ? "" : pair.substring(eq + 1));
    }
    return properties;
  }

  private static JdbcUrl h2(String url, String rest) throws PolicyRefusal {
    int semicolon = rest.indexOf(';');
    String location = semicolon < 0 ? rest : rest.substring(0, semicolon);
    Map<String, String> properties = semicolon < 0 ? Map.of() : properties(url, rest.substring(semicolon + 1), ';');
    String lower = location.toLowerCase(Locale.ROOT);
    if (lower.startsWith("mem:")) {
      return new JdbcUrl("h2", List.of(), null, properties);
    }
    if (lower.startsWith("tcp://") || lower.startsWith("ssl://")) {
      String afterScheme = location.substring(6);
      int slash = afterScheme.indexOf('/');
      if (slash <= 0) {
        throw unreadable(url, "write jdbc:h2:tcp://HOST:PORT/PATH");
      }
      return new JdbcUrl("h2", List.of(host(url, afterScheme.substring(0, slash), 9092)), null, properties);
    }
    String path = lower.startsWith("file:") ? location.substring(5) : location;
    if (path.matches("[A-Za-z][A-Za-z0-9]*:.*")) {
      String prefix = path.substring(0, path.indexOf(':') + 1);
      throw PolicyRefusal.never("H2 database kind " + prefix, "JDBC URLs",
          "only jdbc:h2:mem:, jdbc:h2:file:, plain paths and jdbc:h2:tcp:/ssl: are allowed");
    }
    if (path.isEmpty()) {
      throw unreadable(url, "an H2 URL names a database");
    }
    return new JdbcUrl("h2", List.of(), path, properties);
  }

  private static PolicyRefusal unreadable(String url, String how) {
    // the URL itself is not repeated: a malformed one may hold a password
    return new PolicyRefusal("The JDBC URL cannot be checked against the delegate's allowlists (rule: JDBC URLs; "
        + how + ")");
  }
}
