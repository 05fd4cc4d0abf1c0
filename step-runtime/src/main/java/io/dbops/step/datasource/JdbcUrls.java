package io.dbops.step.datasource;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Pure helpers for reading JDBC URLs in error messages. */
public final class JdbcUrls {
  private static final Pattern HOST_PORT =
      Pattern.compile("^jdbc:([a-z0-9]+):(?:[a-z]+:)?//(\\[[^\\]]+\\]|[^/?;:,]+)(?::(\\d+))?",
          Pattern.CASE_INSENSITIVE);

  private JdbcUrls() {}

  /**
   * "host:port" of a network JDBC URL (the driver's default port when none is given), or null for
   * embedded URLs such as jdbc:h2:file:...
   */
  public static String hostAndPort(String jdbcUrl) {
    Matcher m = HOST_PORT.matcher(jdbcUrl == null ? "" : jdbcUrl);
    if (!m.find()) {
      return null;
    }
    String port = m.group(3);
    if (port == null) {
      port = switch (m.group(1).toLowerCase(Locale.ROOT)) {
        case "postgresql" -> "5432";
        case "mariadb", "mysql" -> "3306";
        case "h2" -> "9092";
        default -> null;
      };
    }
    return port == null ? m.group(2) : m.group(2) + ":" + port;
  }

  /** The driver scheme, for example "postgresql" for jdbc:postgresql://..., or "" when unknown. */
  static String scheme(String jdbcUrl) {
    if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:")) {
      return "";
    }
    int end = jdbcUrl.indexOf(':', 5);
    return end < 0 ? "" : jdbcUrl.substring(5, end).toLowerCase(Locale.ROOT);
  }
}
