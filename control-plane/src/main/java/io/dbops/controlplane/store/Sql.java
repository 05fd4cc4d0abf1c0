package io.dbops.controlplane.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The control plane's one JDBC helper: every statement borrows a pooled connection and returns
 * it; {@link #inTransaction} runs several statements in one transaction (with retries when it
 * lost a race to another writer); the static {@link #update(Connection, String, Object...)} and
 * {@link #query(Connection, String, RowMapper, int, Object...)} bind arguments the same way
 * inside such work. Portable SQL only, so H2 and PostgreSQL run the same code. Thread-safe. SQL
 * errors become {@link StoreException}.
 */
public final class Sql {
  private final DataSource dataSource;

  public Sql(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** Maps one row. */
  @FunctionalInterface
  public interface RowMapper<T> {
    T map(ResultSet rs) throws SQLException;
  }

  /** Work on one connection; statements inside use the static helpers of this class. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /** Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. */
  public <T> T inTransaction(Work<T> work) {
    return inTransaction(1, work);
  }

  /**
   * As {@link #inTransaction(Work)}, run again (up to {@code attempts} times in all) when it lost a
   * race with another writer ({@link #isRace}); {@code work} must be safe to repeat.
   */
  public <T> T inTransaction(int attempts, Work<T> work) {
    for (int attempt = 1; ; attempt++) {
      try (Connection c = dataSource.getConnection()) {
        c.setAutoCommit(false);
        try {
          T result = work.run(c);
          c.commit();
          return result;
        } catch (SQLException | RuntimeException e) {
          c.rollback();
          throw e;
        } finally {
          c.setAutoCommit(true);
        }
      } catch (SQLException e) {
        if (attempt < attempts && isRace(e)) {
          continue;
        }
        throw new StoreException(e, "Database transaction failed after " + attempt + " attempt(s): "
            + e.getMessage());
      }
    }
  }

  /** Runs {@code work} on one pooled connection in auto-commit mode. */
  public <T> T withConnection(Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      return work.run(c);
    } catch (SQLException e) {
      throw new StoreException(e, "Database query failed: " + e.getMessage());
    }
  }

  /** One statement on {@code c} (inside {@link Work}); returns the update count. */
  public static int update(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, args);
      return ps.executeUpdate();
    }
  }

  /** One query on {@code c} (inside {@link Work}); at most {@code maxRows} rows when above 0. */
  public static <T> List<T> query(Connection c, String sql, RowMapper<T> mapper, int maxRows,
      Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      if (maxRows > 0) {
        ps.setMaxRows(maxRows);
      }
      bind(ps, args);
      try (ResultSet rs = ps.executeQuery()) {
        List<T> rows = new ArrayList<>();
        while (rs.next()) {
          rows.add(mapper.map(rs));
        }
        return rows;
      }
    }
  }

  public int update(String sql, Object... args) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, args);
      return ps.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException(sql, e);
    }
  }

  public <T> List<T> query(String sql, RowMapper<T> mapper, int maxRows, Object... args) {
    try (Connection c = dataSource.getConnection()) {
      return query(c, sql, mapper, maxRows, args);
    } catch (SQLException e) {
      throw new StoreException(sql, e);
    }
  }

  public <T> Optional<T> queryOne(String sql, RowMapper<T> mapper, Object... args) {
    List<T> rows = query(sql, mapper, 1, args);
    return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
  }

  /** Reads a nullable BIGINT column. */
  public static Long nullableLong(ResultSet rs, String column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : v;
  }

  /** True when the exception is a unique or primary key violation (SQLState class 23). */
  public static boolean isUniqueViolation(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && sql.getSQLState() != null
          && sql.getSQLState().startsWith("23")) {
        return true;
      }
    }
    return false;
  }

  /**
   * True when {@code e} says the transaction lost a race and may succeed when run again: a unique
   * violation (23xxx: a concurrent insert of the same key), a serialization failure or deadlock
   * (40xxx), or H2's lock timeout (HYT00).
   */
  public static boolean isRace(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        String state = sql.getSQLState();
        if (state.startsWith("23") || state.startsWith("40") || state.equals("HYT00")) {
          return true;
        }
      }
    }
    return false;
  }

  private static void bind(PreparedStatement ps, Object[] args) throws SQLException {
    for (int i = 0; i < args.length; i++) {
      Object a = args[i];
      if (a == null) {
        ps.setNull(i + 1, Types.NULL); // unspecified type: PostgreSQL infers it from the column
      } else if (a instanceof String s) {
        ps.setString(i + 1, s);
      } else if (a instanceof Long l) {
        ps.setLong(i + 1, l);
      } else if (a instanceof Integer n) {
        ps.setInt(i + 1, n);
      } else if (a instanceof Boolean b) {
        ps.setBoolean(i + 1, b);
      } else if (a instanceof byte[] bytes) {
        ps.setBytes(i + 1, bytes);
      } else if (a instanceof Enum<?> e) {
        ps.setString(i + 1, e.name()); // for example a TaskStatus, stored by its name
      } else {
        throw new IllegalArgumentException("Unsupported SQL argument type " + a.getClass());
      }
    }
  }

  /** A database operation failed; the message names the statement. */
  public static final class StoreException extends RuntimeException {
    StoreException(String sql, SQLException cause) {
      super("Database statement failed (" + sql.split("\\s+", 3)[0] + " ...): " + cause.getMessage(),
          cause);
    }

    StoreException(Throwable cause, String message) {
      super(message, cause);
    }
  }
}
