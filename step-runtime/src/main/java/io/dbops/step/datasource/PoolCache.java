package io.dbops.step.datasource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.dbops.support.Secrets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hikari pools, one per (JDBC URL, user), kept for the life of the step container so later steps
 * against the same database reuse warm connections.
 *
 * <p>Thread-safe. Owns every pool it creates; {@link #close()} closes them all and is idempotent.
 * Pools are created lazily on the calling thread; Hikari's housekeeping threads are named
 * {@code step-db-<n> housekeeper}.
 */
public final class PoolCache implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PoolCache.class);

  private record Key(String jdbcUrl, String username) {}

  private record Entry(HikariDataSource dataSource, String password) {}

  private final int maxPoolSize;
  private final Duration connectionTimeout;
  private final Object lock = new Object();
  private final Map<Key, Entry> pools = new HashMap<>(); // guarded by lock
  private final AtomicInteger poolCounter = new AtomicInteger();
  private final AtomicBoolean closed = new AtomicBoolean();

  public PoolCache(int maxPoolSize, Duration connectionTimeout) {
    this.maxPoolSize = maxPoolSize;
    this.connectionTimeout = connectionTimeout;
  }

  /**
   * A pooled connection; the caller closes it to return it.
   *
   * @param password may be empty or null
   * @throws ConnectFailure with an actionable message naming host, port and user
   */
  public Connection borrow(String jdbcUrl, String username, String password) throws ConnectFailure {
    if (closed.get()) {
      throw new IllegalStateException("PoolCache is closed");
    }
    String url = withMysqlScheme(jdbcUrl);
    try {
      DriverManager.getDriver(url);
    } catch (SQLException e) {
      throw ConnectFailures.noDriver(jdbcUrl);
    }
    try {
      return pool(url, username, password).getConnection();
    } catch (SQLException | RuntimeException e) {
      // RuntimeException: Hikari's PoolInitializationException when the first connection fails.
      throw ConnectFailures.describe(jdbcUrl, username, e);
    }
  }

  /**
   * A new physical connection outside the pools (the caller closes it), for a session that must
   * end exactly when this process does, such as the MariaDB lock heartbeat.
   */
  public Connection connectDirect(String jdbcUrl, String username, String password) throws SQLException {
    String url = withMysqlScheme(jdbcUrl);
    java.util.Properties props = new java.util.Properties();
    if (username != null && !username.isEmpty()) {
      props.setProperty("user", username);
    }
    props.setProperty("password", password == null ? "" : password);
    if (url.startsWith("jdbc:mariadb:") || url.startsWith("jdbc:mysql:")) {
      props.setProperty("connectTimeout", Long.toString(connectionTimeout.toMillis()));
    } else if (url.startsWith("jdbc:postgresql:")) {
      props.setProperty("connectTimeout", Long.toString(Math.max(1, connectionTimeout.toSeconds())));
    }
    return DriverManager.getConnection(url, props);
  }

  /**
   * Closes a borrowed connection's physical session instead of returning it to the pool, for a
   * session left in a state the next step must not inherit (for example a lock that could not be
   * released). The caller still closes its proxy.
   */
  public void evict(String jdbcUrl, String username, Connection connection) {
    Key key = new Key(withMysqlScheme(jdbcUrl), username == null ? "" : username);
    HikariDataSource dataSource;
    synchronized (lock) {
      Entry entry = pools.get(key);
      dataSource = entry == null ? null : entry.dataSource();
    }
    if (dataSource != null) {
      try {
        dataSource.evictConnection(connection);
      } catch (RuntimeException e) {
        log.warn("Evicting a connection from pool {} failed", dataSource.getPoolName(), e);
      }
    }
  }

  /** Number of open pools, for tests and diagnostics. */
  public int size() {
    synchronized (lock) {
      return pools.size();
    }
  }

  private HikariDataSource pool(String jdbcUrl, String username, String password) {
    Key key = new Key(jdbcUrl, username == null ? "" : username);
    String pw = password == null ? "" : password;
    synchronized (lock) {
      Entry entry = pools.get(key);
      if (entry != null && Objects.equals(entry.password(), pw)) {
        return entry.dataSource();
      }
      if (entry != null) {
        // The secret was rotated: the old pool's connections use the old password.
        pools.remove(key);
        entry.dataSource().close();
      }
      HikariConfig config = new HikariConfig();
      config.setPoolName("step-db-" + poolCounter.incrementAndGet());
      config.setJdbcUrl(jdbcUrl);
      if (!key.username().isEmpty()) {
        config.setUsername(key.username());
      }
      config.setPassword(pw);
      config.setMaximumPoolSize(maxPoolSize);
      config.setMinimumIdle(0);
      config.setConnectionTimeout(connectionTimeout.toMillis());
      config.setValidationTimeout(Math.min(5000, connectionTimeout.toMillis()));
      // Idle connections go after 5 minutes: a step container may sit idle between stages.
      config.setIdleTimeout(Duration.ofMinutes(5).toMillis());
      // Fail fast on the first connection so a bad URL or password is reported at once, not after
      // connectionTimeout; a failed pool is never cached.
      config.setInitializationFailTimeout(1);
      HikariDataSource dataSource = new HikariDataSource(config);
      pools.put(key, new Entry(dataSource, pw));
      log.info("Opened connection pool {} for {} as {}", config.getPoolName(),
          Secrets.maskUrl(jdbcUrl), key.username());
      return dataSource;
    }
  }

  /**
   * MariaDB Connector/J only accepts jdbc:mysql: URLs with permitMysqlScheme; we ship it as the
   * MySQL driver too, so add the flag rather than asking users to.
   */
  static String withMysqlScheme(String jdbcUrl) {
    if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:mysql:") || jdbcUrl.contains("permitMysqlScheme")) {
      return jdbcUrl;
    }
    return jdbcUrl + (jdbcUrl.contains("?") ? "&" : "?") + "permitMysqlScheme";
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    synchronized (lock) {
      for (Entry entry : pools.values()) {
        try {
          entry.dataSource().close();
        } catch (RuntimeException e) {
          log.warn("Closing pool {} failed", entry.dataSource().getPoolName(), e);
        }
      }
      pools.clear();
    }
  }
}
