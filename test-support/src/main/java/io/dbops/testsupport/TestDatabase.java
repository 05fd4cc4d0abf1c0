package io.dbops.testsupport;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A fresh, empty database created for one test on a real server, dropped by {@link #close()}.
 *
 * @param jdbcUrl URL of the fresh database
 * @param password may be empty; tests pass it to the code under test through an environment
 *     variable or a system property, never on a command line
 */
public record TestDatabase(
    TestDatabases.Kind kind, String jdbcUrl, String username, String password, String name,
    String adminUrl)
    implements AutoCloseable {

  public Connection connect() throws SQLException {
    return DriverManager.getConnection(jdbcUrl, username, password);
  }

  /** Runs a query that returns one number, for assertions. */
  public long queryLong(String sql) throws SQLException {
    try (Connection c = connect();
        Statement s = c.createStatement();
        var rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** True when a table of that name exists (case-insensitive). */
  public boolean tableExists(String table) throws SQLException {
    try (Connection c = connect();
        var rs = c.getMetaData().getTables(c.getCatalog(), null, "%", new String[] {"TABLE"})) {
      while (rs.next()) {
        if (rs.getString("TABLE_NAME").equalsIgnoreCase(table)) {
          return true;
        }
      }
      return false;
    }
  }

  @Override
  public void close() throws SQLException {
    try (Connection c = DriverManager.getConnection(adminUrl, username, password);
        Statement s = c.createStatement()) {
      if (kind == TestDatabases.Kind.POSTGRES) {
        s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      } else {
        s.execute("DROP DATABASE IF EXISTS " + name);
      }
    }
  }
}
