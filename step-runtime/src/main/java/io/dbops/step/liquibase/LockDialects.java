package io.dbops.step.liquibase;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import liquibase.database.Database;
import liquibase.database.core.H2Database;
import liquibase.database.core.MariaDBDatabase;
import liquibase.database.core.MySQLDatabase;
import liquibase.database.core.PostgresDatabase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The session-scoped locks of each database dbops supports. */
final class LockDialects {
  private static final Logger logger = LoggerFactory.getLogger(LockDialects.class);

  private LockDialects() {}

  /** Opens an extra connection to the step's database, outside the pool; the caller closes it. */
  interface ConnectionOpener {
    Connection open() throws Exception;
  }

  /**
   * The dialect for {@code database}, or null when dbops keeps Liquibase's standard table lock
   * (H2 in server mode, other databases).
   */
  static StepLock.Dialect forDatabase(Database database, String jdbcUrl, ConnectionOpener heartbeat) {
    String lockKey = "dbops:" + nullToEmpty(database.getLiquibaseCatalogName()) + "."
        + nullToEmpty(database.getLiquibaseSchemaName()) + "." + database.getDatabaseChangeLogTableName();
    if (database instanceof PostgresDatabase) {
      return new Postgres(key64(lockKey), majorVersion(database) >= 14);
    }
    if (database instanceof MariaDBDatabase || database instanceof MySQLDatabase) {
      String name = lockKey.length() <= 64 ? lockKey : "dbops:" + HexFormat.of().formatHex(sha256(lockKey), 0, 20);
      return new MariaDb(name, heartbeat);
    }
    if (database instanceof H2Database && embeddedH2(jdbcUrl)) {
      return new EmbeddedH2();
    }
    return null;
  }

  /**
   * Embedded H2 (a file or memory URL without AUTO_SERVER): H2's own file lock admits one process
   * and a step container runs one step at a time, so no database lock is needed and none can go
   * stale.
   */
  static boolean embeddedH2(String jdbcUrl) {
    String url = jdbcUrl.toUpperCase(java.util.Locale.ROOT);
    return !url.startsWith("JDBC:H2:TCP:") && !url.startsWith("JDBC:H2:SSL:") && !url.contains("AUTO_SERVER=TRUE");
  }

  /** {@code pg_try_advisory_lock} on a 64-bit key derived from the changelog table's schema and name. */
  static final class Postgres implements StepLock.Dialect {
    private final long key;
    private boolean connectionCheck;

    Postgres(long key, boolean connectionCheck) {
      this.key = key;
      this.connectionCheck = connectionCheck;
    }

    long key() {
      return key;
    }

    @Override
    public boolean tryLock(Connection work, int waitSeconds) throws SQLException {
      if (connectionCheck) {
        // PostgreSQL 14+: while a long statement runs, check every second that the client is still
        // there, so a killed step's session (and its lock) ends at once instead of when the
        // statement finishes.
        try (Statement s = work.createStatement()) {
          s.execute("SELECT set_config('client_connection_check_interval', '1000', false)");
        }
        connectionCheck = false; // once per step is enough
      }
      try (PreparedStatement s = work.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
        s.setLong(1, key);
        try (ResultSet rs = s.executeQuery()) {
          rs.next();
          return rs.getBoolean(1);
        }
      }
    }

    @Override
    public void unlock(Connection work) throws SQLException {
      try (PreparedStatement s = work.prepareStatement("SELECT pg_advisory_unlock(?)")) {
        s.setLong(1, key);
        try (ResultSet rs = s.executeQuery()) {
          rs.next();
          if (!rs.getBoolean(1)) {
            logger.warn("pg_advisory_unlock({}) found no lock held by this session", key);
          }
        }
      }
    }

    @Override
    public String holder(Connection work) {
      String sql = "SELECT a.pid, a.client_addr, a.application_name, a.backend_start FROM pg_locks l"
          + " JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted"
          + " AND l.classid = CAST(? AS bigint)::oid AND l.objid = CAST(? AS bigint)::oid AND l.objsubid = 1"
          + " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())";
      try (PreparedStatement s = work.prepareStatement(sql)) {
        s.setLong(1, key >>> 32);
        s.setLong(2, key & 0xffffffffL);
        try (ResultSet rs = s.executeQuery()) {
          String result = rs.next()
              ? "PostgreSQL backend pid " + rs.getLong(1) + ", client " + rs.getString(2) + ", application '"
                  + rs.getString(3) + "', connected since " + rs.getString(4)
              : "";
          if (!work.getAutoCommit()) {
            work.commit();
          }
          return result;
        }
      } catch (SQLException e) {
        rollbackQuietly(work);
        return "";
      }
    }

    @Override
    public boolean waitsOnServer() {
      return false;
    }
  }

  /**
   * {@code GET_LOCK(name, timeout)} on the step's session. MariaDB does not notice a dead client
   * while a statement runs (a killed step's {@code DO SLEEP(30)} keeps its session, and so the
   * lock, for 30 s), so the holder also keeps {@code dbops-alive:<its connection id>} on a second,
   * idle connection, which the server drops the moment the process dies. A waiter that finds the
   * lock held by a session whose alive lock is gone kills that orphaned session.
   */
  static final class MariaDb implements StepLock.Dialect {
    /** MariaDB/MySQL error "Unknown thread id": the connection to kill is already gone. */
    private static final int ER_NO_SUCH_THREAD = 1094;
    private final String name;
    private final ConnectionOpener opener;
    private Connection heartbeat;

    MariaDb(String name, ConnectionOpener opener) {
      this.name = name;
      this.opener = opener;
    }

    String name() {
      return name;
    }

    @Override
    public boolean tryLock(Connection work, int waitSeconds) throws SQLException {
      if (heartbeat == null) {
        long workId = queryLong(work, "SELECT CONNECTION_ID()", null);
        try {
          heartbeat = opener.open();
        } catch (Exception e) {
          throw new SQLException("Cannot open the lock heartbeat connection: " + Failures.describe(e), e);
        }
        // Alive lock first, then the change lock: a change lock without its alive lock means the
        // holder is dead.
        if (queryLong(heartbeat, "SELECT GET_LOCK(?, 5)", aliveName(workId)) != 1) {
          throw new SQLException("Cannot take the lock " + aliveName(workId) + " on the heartbeat connection");
        }
      }
      Long got = queryNullableLong(work, "SELECT GET_LOCK(?, " + waitSeconds + ")", name);
      if (got != null && got == 1) {
        return true;
      }
      killOrphan(work);
      return false;
    }

    private void killOrphan(Connection work) throws SQLException {
      Long holder = queryNullableLong(work, "SELECT IS_USED_LOCK(?)", name);
      if (holder == null) {
        return;
      }
      // Taking the holder's alive lock ourselves proves its process is gone (a live holder keeps
      // it for as long as it holds the change lock) and stops it from being retaken meanwhile.
      Long gotAlive = queryNullableLong(work, "SELECT GET_LOCK(?, 0)", aliveName(holder));
      if (gotAlive == null || gotAlive != 1) {
        return;
      }
      try {
        Long again = queryNullableLong(work, "SELECT IS_USED_LOCK(?)", name);
        if (!holder.equals(again)) {
          return;
        }
        logger.warn("The change lock {} is held by connection {} whose dbops process is gone; ending that session",
            name, holder);
        try (Statement s = work.createStatement()) {
          s.execute("KILL CONNECTION " + holder);
        } catch (SQLException e) {
          if (e.getErrorCode() == ER_NO_SUCH_THREAD) {
            // the server ended the dead session on its own between our check and the KILL
            logger.info("Connection {} ended before it could be killed; retrying the change lock", holder);
            return;
          }
          throw new SQLException("The change lock is held by connection " + holder + ", left behind by a dbops"
              + " process that died, and this user may not end it (" + Failures.describe(e) + "). Ask a DBA to"
              + " run KILL CONNECTION " + holder + ".", e);
        }
      } finally {
        queryNullableLong(work, "SELECT RELEASE_LOCK(?)", aliveName(holder));
      }
    }

    @Override
    public void unlock(Connection work) throws SQLException {
      try {
        queryNullableLong(work, "SELECT RELEASE_LOCK(?)", name);
      } finally {
        close();
      }
    }

    @Override
    public String holder(Connection work) {
      try {
        Long holder = queryNullableLong(work, "SELECT IS_USED_LOCK(?)", name);
        if (holder == null) {
          return "";
        }
        String detail = "";
        try (PreparedStatement s = work.prepareStatement(
            "SELECT HOST, COMMAND, TIME, INFO FROM information_schema.PROCESSLIST WHERE ID = ?")) {
          s.setLong(1, holder);
          try (ResultSet rs = s.executeQuery()) {
            if (rs.next()) {
              detail = ", client " + rs.getString(1) + ", " + rs.getString(2) + " for " + rs.getLong(3) + " s";
            }
          }
        }
        return "connection " + holder + detail;
      } catch (SQLException e) {
        return "";
      }
    }

    @Override
    public boolean waitsOnServer() {
      return true;
    }

    @Override
    public void close() {
      Connection c = heartbeat;
      heartbeat = null;
      if (c != null) {
        try {
          c.close(); // ends the session: its alive lock goes with it
        } catch (SQLException e) {
          logger.debug("Closing the lock heartbeat connection failed", e);
        }
      }
    }

    private static String aliveName(long connectionId) {
      return "dbops-alive:" + connectionId;
    }
  }

  /** Embedded H2: see {@link #embeddedH2(String)}. */
  static final class EmbeddedH2 implements StepLock.Dialect {
    @Override
    public boolean tryLock(Connection work, int waitSeconds) {
      return true;
    }

    @Override
    public void unlock(Connection work) {}

    @Override
    public String holder(Connection work) {
      return "";
    }

    @Override
    public boolean waitsOnServer() {
      return false;
    }
  }

  private static long queryLong(Connection c, String sql, String arg) throws SQLException {
    Long value = queryNullableLong(c, sql, arg);
    return value == null ? -1 : value;
  }

  private static Long queryNullableLong(Connection c, String sql, String arg) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(sql)) {
      if (arg != null) {
        s.setString(1, arg);
      }
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        long v = rs.getLong(1);
        return rs.wasNull() ? null : v;
      }
    }
  }

  private static void rollbackQuietly(Connection c) {
    try {
      if (!c.getAutoCommit()) {
        c.rollback();
      }
    } catch (SQLException e) {
      logger.debug("Rollback failed", e);
    }
  }

  static long key64(String text) {
    byte[] hash = sha256(text);
    long key = 0;
    for (int i = 0; i < 8; i++) {
      key = (key << 8) | (hash[i] & 0xff);
    }
    return key;
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int majorVersion(Database database) {
    try {
      return database.getDatabaseMajorVersion();
    } catch (Exception e) {
      return 0;
    }
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
