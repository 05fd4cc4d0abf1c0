package io.dbops.step;

import io.dbops.testsupport.TestDatabase;
import io.dbops.testsupport.TestDatabases;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** A database a test runs steps against: a temp-file H2, or a fresh PostgreSQL/MariaDB database. */
interface TargetDb extends AutoCloseable {
  String H2_PASSWORD = "h2-Pa55word-q7";

  String jdbcUrl();

  String username();

  String password();

  Connection connect() throws SQLException;

  default long queryLong(String sql) throws SQLException {
    try (Connection c = connect(); Statement s = c.createStatement(); var rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  default long changelogRows() throws SQLException {
    return queryLong("SELECT COUNT(*) FROM DATABASECHANGELOG");
  }

  default boolean tableExists(String table) throws SQLException {
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

  default long changelogRows(String id) throws SQLException {
    return queryLong("SELECT COUNT(*) FROM DATABASECHANGELOG WHERE ID = '" + id + "'");
  }

  @Override
  void close() throws SQLException;

  /** "H2" (a file database in {@code h2Dir}), or a {@link TestDatabases.Kind} name. */
  static TargetDb named(String kind, Path h2Dir) {
    return kind.equals("H2") ? h2(h2Dir) : server(TestDatabases.Kind.valueOf(kind));
  }

  static TargetDb h2(Path dir) {
    String url = "jdbc:h2:file:" + dir.resolve("db").toAbsolutePath();
    return new TargetDb() {
      public String jdbcUrl() { return url; }
      public String username() { return "sa"; }
      public String password() { return H2_PASSWORD; }
      public Connection connect() throws SQLException {
        return DriverManager.getConnection(url, "sa", H2_PASSWORD);
      }
      public void close() {}
      public String toString() { return "H2"; }
    };
  }

  static TargetDb server(TestDatabases.Kind kind) {
    TestDatabase db = TestDatabases.create(kind);
    return new TargetDb() {
      public String jdbcUrl() { return db.jdbcUrl(); }
      public String username() { return db.username(); }
      public String password() { return db.password(); }
      public Connection connect() throws SQLException { return db.connect(); }
      public void close() throws SQLException { db.close(); }
      public String toString() { return kind.name(); }
    };
  }
}
