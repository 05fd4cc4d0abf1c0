package io.dbops.step.drift;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An empty database of the same kind as the target, for rebuilding the schema the applied
 * changesets should have produced: a new database {@code dbops_drift_<random>} on the same
 * PostgreSQL or MariaDB/MySQL server (same version, same SQL dialect, same type names), or a
 * private in-memory H2 database with the target's compatibility settings. Dropped on {@link
 * #close()} (idempotent).
 */
public final class ScratchDatabase implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ScratchDatabase.class);
  private static final Pattern SERVER_URL =
      Pattern.compile("^(jdbc:(?:postgresql|mariadb|mysql)://[^/?;]*/)([^?;/]*)(.*)$", Pattern.CASE_INSENSITIVE);
  private static final Set<String> H2_SETTINGS = Set.of("MODE", "DATABASE_TO_LOWER", "DATABASE_TO_UPPER",
      "CASE_INSENSITIVE_IDENTIFIERS", "NON_KEYWORDS", "DEFAULT_NULL_ORDERING", "IGNORECASE");

  /** Opens connections as the step's user (the caller closes them). */
  @FunctionalInterface
  public interface Connector {
    Connection connect(String jdbcUrl) throws SQLException;
  }

  private final String name;
  private final String liveUrl;
  private final String jdbcUrl;
  private final Connection connection;
  private final Connector connector;
  private final boolean server;
  private boolean closed;

  private ScratchDatabase(String name, String liveUrl, String jdbcUrl, Connection connection, Connector connector,
      boolean server) {
    this.name = name;
    this.liveUrl = liveUrl;
    this.jdbcUrl = jdbcUrl;
    this.connection = connection;
    this.connector = connector;
    this.server = server;
  }

  /**
   * Creates the scratch database next to {@code liveUrl}'s and connects to it.
   *
   * @throws SQLException when it cannot be created (the message says which privilege is missing)
   * @throws IllegalArgumentException for a URL this class cannot derive a scratch database from
   */
  public static ScratchDatabase create(String liveUrl, Connector connector) throws SQLException {
    String name = "dbops_drift_" + HexFormat.of().formatHex(randomBytes());
    String lower = liveUrl.toLowerCase(Locale.ROOT);
    if (lower.startsWith("jdbc:h2:")) {
      String url = "jdbc:h2:mem:" + name + h2Settings(liveUrl);
      return new ScratchDatabase(name, liveUrl, url, connector.connect(url), connector, false);
    }
    Matcher m = SERVER_URL.matcher(liveUrl);
    if (!m.matches()) {
      throw new IllegalArgumentException("DRIFT supports PostgreSQL, MariaDB/MySQL and H2 URLs of the form"
          + " jdbc:<driver>://host[:port]/database; cannot derive a scratch database from " + redact(liveUrl));
    }
    boolean postgres = lower.startsWith("jdbc:postgresql:");
    try (Connection admin = connector.connect(liveUrl); Statement s = admin.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new SQLException("Cannot create the scratch database " + name + " that DRIFT rebuilds the expected schema in: "
          + e.getMessage() + (postgres ? " (the user needs CREATEDB: ALTER ROLE <user> CREATEDB)"
          : " (the user needs CREATE and DROP on " + name + ": GRANT CREATE, DROP ON `dbops\\_drift\\_%`.* TO <user>)"),
          e.getSQLState(), e);
    }
    String url = m.group(1) + name + m.group(3);
    try {
      return new ScratchDatabase(name, liveUrl, url, connector.connect(url), connector, true);
    } catch (SQLException e) {
      drop(connector, liveUrl, name, postgres);
      throw e;
    }
  }

  private static byte[] randomBytes() {
    byte[] b = new byte[6];
    ThreadLocalRandom.current().nextBytes(b);
    return b;
  }

  private static String h2Settings(String liveUrl) {
    StringBuilder sb = new StringBuilder();
    String[] parts = liveUrl.split(";");
    for (int i = 1; i < parts.length; i++) {
      int eq = parts[i].indexOf('=');
      if (eq > 0 && H2_SETTINGS.contains(parts[i].substring(0, eq).strip().toUpperCase(Locale.ROOT))) {
        sb.append(';').append(parts[i]);
      }
    }
    return sb.toString();
  }

  private static String redact(String url) {
    return url.replaceAll("(?i)(password=)[^;&]*", "$1***");
  }

  /** The scratch database's name, for example {@code dbops_drift_0a1b2c3d4e5f}. */
  public String name() {
    return name;
  }

  public String jdbcUrl() {
    return jdbcUrl;
  }

  /** The one connection to the scratch database; closed by {@link #close()}. */
  public Connection connection() {
    return connection;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      connection.close();
    } catch (SQLException e) {
      log.debug("Closing the scratch connection to {} failed", name, e);
    }
    if (server) {
      drop(connector, liveUrl, name, liveUrl.toLowerCase(Locale.ROOT).startsWith("jdbc:postgresql:"));
    }
  }

  private static void drop(Connector connector, String liveUrl, String name, boolean postgres) {
    try (Connection admin = connector.connect(liveUrl); Statement s = admin.createStatement()) {
      if (postgres) {
        try {
          s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (SQLException e) { // PostgreSQL < 13
          s.execute("DROP DATABASE IF EXISTS " + name);
        }
      } else {
        s.execute("DROP DATABASE IF EXISTS " + name);
      }
    } catch (SQLException e) {
      log.warn("Could not drop the scratch database {}: {}. Drop it by hand: DROP DATABASE {}", name, e.getMessage(), name);
    }
  }
}
