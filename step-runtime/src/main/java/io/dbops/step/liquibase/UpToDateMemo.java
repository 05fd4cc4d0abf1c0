package io.dbops.step.liquibase;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import liquibase.changelog.DatabaseChangeLog;
import liquibase.database.Database;

/**
 * Remembers that an APPLY found nothing to do, so the next APPLY with the same inputs can say so
 * without asking Liquibase (which validates and compares every changeset with every history row).
 *
 * <p>An entry is valid only while all of Liquibase's inputs are unchanged: the same parsed
 * changelog object (the {@link ChangelogCache} returns a new one when any file under the search
 * root changed), the same target, contexts, labels and parameters, and the same DATABASECHANGELOG
 * content (a digest of every column of every row, read under the step's change lock). Anything
 * else falls back to Liquibase. Bounded (LRU); used by one step at a time.
 */
final class UpToDateMemo {
  /** What Liquibase's answer depended on, besides the history. */
  record Key(String jdbcUrl, String username, String changelog, String contexts, String labels,
      Map<String, String> parameters, LiquibaseTables tables) {}

  private record Entry(DatabaseChangeLog changeLog, String digest) {}

  private final int capacity;
  private final Map<Key, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);

  UpToDateMemo(int capacity) {
    this.capacity = capacity;
  }

  static Key key(StepCommand command, String changelogPath) {
    return new Key(command.jdbcUrl(), command.username(), changelogPath, command.contexts(), command.labels(),
        Map.copyOf(command.parameters()), command.tables());
  }

  /** Whether Liquibase already found this exact state up to date; reads the history digest to check. */
  synchronized boolean isUpToDate(Key key, DatabaseChangeLog changeLog, Database database, Connection connection) {
    Entry entry = entries.get(key);
    if (entry == null || entry.changeLog() != changeLog) {
      return false;
    }
    String digest = digest(database, connection, false);
    if (digest == null || !digest.equals(entry.digest())) {
      entries.remove(key);
      return false;
    }
    return true;
  }

  /** Liquibase found nothing pending in this state: remember it. */
  synchronized void rememberUpToDate(Key key, DatabaseChangeLog changeLog, Database database, Connection connection) {
    String digest = digest(database, connection, true);
    if (digest == null) {
      entries.remove(key);
      return;
    }
    entries.put(key, new Entry(changeLog, digest));
    while (entries.size() > capacity) {
      entries.remove(entries.keySet().iterator().next());
    }
  }

  synchronized void clear() {
    entries.clear();
  }

  synchronized void forget(Key key) {
    entries.remove(key);
  }

  /**
   * Row count plus an order-independent sum of per-row SHA-256 prefixes over every column of
   * DATABASECHANGELOG; null when it cannot be read (no table yet).
   *
   * @param checkTable look the table up first (an entry's existence already implies the table)
   */
  static String digest(Database database, Connection connection, boolean checkTable) {
    String table = database.escapeTableName(database.getLiquibaseCatalogName(), database.getLiquibaseSchemaName(),
        database.getDatabaseChangeLogTableName());
    try {
      if (checkTable && !tableExists(database, connection)) {
        return null;
      }
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      long sum = 0;
      long rows = 0;
      try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM " + table)) {
        int columns = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          for (int i = 1; i <= columns; i++) {
            sha.update(Objects.toString(rs.getString(i), "\u0000").getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0x1f);
          }
          byte[] h = sha.digest();
          long v = 0;
          for (int i = 0; i < 8; i++) {
            v = (v << 8) | (h[i] & 0xff);
          }
          sum += v;
          rows++;
        }
      }
      return rows + ":" + Long.toHexString(sum);
    } catch (SQLException | NoSuchAlgorithmException e) {
      rollbackQuietly(connection);
      return null;
    }
  }

  private static boolean tableExists(Database database, Connection connection) throws SQLException {
    String name = database.getDatabaseChangeLogTableName();
    String schema = database.getLiquibaseSchemaName();
    String catalog = database.getLiquibaseCatalogName();
    for (String n : List.of(name, name.toLowerCase(java.util.Locale.ROOT), name.toUpperCase(java.util.Locale.ROOT))) {
      try (ResultSet rs = connection.getMetaData().getTables(
          database.supports(liquibase.structure.core.Catalog.class) ? catalog : null,
          database.supports(liquibase.structure.core.Schema.class) ? schema : null, n, null)) {
        if (rs.next()) {
          return true;
        }
      }
    }
    return false;
  }

  private static void rollbackQuietly(Connection connection) {
    try {
      if (!connection.getAutoCommit()) {
        connection.rollback();
      }
    } catch (SQLException ignored) {
      // The caller falls back to Liquibase, which reports any real connection problem.
    }
  }
}
