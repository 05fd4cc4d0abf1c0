package io.dbops.step.drift;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.TreeMap;

/**
 * The sequences of a PostgreSQL session's current schema with their definitions (type, start,
 * increment, bounds, cycle), from {@code pg_sequences} (PostgreSQL 10+; older servers report none).
 * The current value is not part of the definition: it differs whenever data was written.
 */
final class PostgresSequences {
  private static final String QUERY = "SELECT sequencename, data_type, start_value, increment_by, min_value,"
      + " max_value, cycle FROM pg_catalog.pg_sequences WHERE schemaname = current_schema()";

  private PostgresSequences() {}

  static Map<String, SchemaSnapshot.Sequence> read(Connection connection) throws SQLException {
    Map<String, SchemaSnapshot.Sequence> sequences = new TreeMap<>();
    // Checked up front: a failing query would abort the session's open transaction.
    if (connection.getMetaData().getDatabaseMajorVersion() < 10) {
      return sequences;
    }
    try (PreparedStatement s = connection.prepareStatement(QUERY); ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        String name = rs.getString(1);
        String definition = rs.getString(2) + " start " + rs.getLong(3) + " increment " + rs.getLong(4) + " min "
            + rs.getLong(5) + " max " + rs.getLong(6) + (rs.getBoolean(7) ? " cycle" : " no cycle");
        sequences.put(SchemaSnapshot.key(name), new SchemaSnapshot.Sequence(name, definition));
      }
    }
    return sequences;
  }
}
