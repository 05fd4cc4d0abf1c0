package io.dbops.controlplane.logs;

import io.dbops.api.LogPage;
import io.dbops.controlplane.http.ApiException;
import io.dbops.logship.LogLine;
import io.dbops.logship.Progress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The log tables ({@code log_streams}, {@code log_cursors}, {@code log_chunks}; see
 * changelog-4-logs.xml). Every append is one transaction that locks its stream's row, then its
 * execution's cursor row: appends of a stream are serialized (idempotence and gap checks are
 * exact), and cursors of an execution are handed out in commit order, also across replicas, so
 * a reader never skips a line. Chunks of an execution never overlap in cursor range. Portable
 * SQL (H2, PostgreSQL). Thread-safe (stateless over the pool).
 */
final class LogStore {
  /** Most lines one append may carry. */
  static final int MAX_BATCH = 10_000;
  private static final int ATTEMPTS = 3;
  private static final int WINDOW = 16;

  private final DataSource dataSource;
  private final Clock clock;

  LogStore(DataSource dataSource, Clock clock) {
    this.dataSource = dataSource;
    this.clock = clock;
  }

  /** Where a stream stands; {@code progress} is null until one was reported. */
  record StreamRow(String stream, String executionId, long lastSeq, boolean closed, boolean compacted,
      long updatedAt, Progress progress) {}

  /**
   * Appends the lines of {@code stream} not stored yet and records {@code progress} (may be null).
   *
   * @param internal the control plane's own lines: accepted even on a closed stream
   * @return the stream's last stored sequence number
   * @throws ApiException 409 {@code sequence_gap} or {@code stream_closed}
   */
  long append(String stream, String executionId, List<LogLine> lines, Progress progress, boolean internal) {
    return inTransaction(c -> appendLocked(c, lockStream(c, stream, executionId), lines, progress, internal));
  }

  /**
   * Appends one line of the control plane's own at the stream's next seq, taken under the stream's
   * row lock (so replicas writing the same stream never collide). Accepted on a closed stream.
   */
  long appendNext(String stream, String executionId, long ts, String level, String text) {
    return inTransaction(c -> {
      StreamRow row = lockStream(c, stream, executionId);
      return appendLocked(c, row, List.of(new LogLine(row.lastSeq() + 1, ts, level, text)), null, true);
    });
  }

  private long appendLocked(Connection c, StreamRow row, List<LogLine> lines, Progress progress, boolean internal)
      throws SQLException {
    String stream = row.stream();
    long last = row.lastSeq();
    List<LogLine> fresh = lines;
    if (!lines.isEmpty()) {
      long first = lines.get(0).seq();
      if (first > last + 1) {
        throw new ApiException(409, "sequence_gap", "Batch of " + stream + " starts at seq " + first
            + " but the stored last is " + last + "; resend from seq " + (last + 1),
            List.of("expected seq " + (last + 1)));
      }
      fresh = first > last ? lines : lines.subList((int) Math.min(lines.size(), last - first + 1), lines.size());
    }
    if (!fresh.isEmpty() && row.closed() && !internal) {
      throw new ApiException(409, "stream_closed", "Log stream " + stream + " was closed at seq " + last
          + "; a closed stream takes no more lines", List.of("closed at seq " + last));
    }
    long now = clock.millis();
    if (!fresh.isEmpty()) {
      long firstCursor = reserveCursors(c, row.executionId(), fresh.size());
      LogLine head = fresh.get(0);
      LogLine tail = fresh.get(fresh.size() - 1);
      update(c, "INSERT INTO log_chunks (stream, first_seq, last_seq, execution_id, first_cursor, last_cursor, "
              + "packed, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
          stream, head.seq(), tail.seq(), row.executionId(), firstCursor, firstCursor + fresh.size() - 1, false,
          ChunkCodec.encode(fresh));
      last = tail.seq();
    }
    if (progress != null) {
      update(c, "UPDATE log_streams SET last_seq = ?, updated_at = ?, compacted = ?, progress_done = ?, "
              + "progress_total = ?, progress_item = ?, progress_at = ? WHERE stream = ?",
          last, now, row.compacted() && fresh.isEmpty(), progress.done(), progress.total(),
          truncate(progress.item(), 1000), now, stream);
    } else if (!fresh.isEmpty()) {
      update(c, "UPDATE log_streams SET last_seq = ?, updated_at = ?, compacted = ? WHERE stream = ?",
          last, now, false, stream);
    }
    return last;
  }

  /**
   * Closes a stream at {@code lastSeq} (idempotent).
   *
   * @throws ApiException 409 {@code sequence_gap} when lines before {@code lastSeq} are missing
   */
  long close(String stream, String executionId, long lastSeq) {
    return inTransaction(c -> {
      StreamRow row = lockStream(c, stream, executionId);
      if (lastSeq > row.lastSeq()) {
        throw new ApiException(409, "sequence_gap", "Log stream " + stream + " holds lines up to seq "
            + row.lastSeq() + ", not " + lastSeq + "; send the missing lines before closing it",
            List.of("expected seq " + (row.lastSeq() + 1)));
      }
      if (!row.closed()) {
        long now = clock.millis();
        update(c, "UPDATE log_streams SET closed = ?, closed_at = ?, updated_at = ? WHERE stream = ?",
            true, now, now, stream);
      }
      return row.lastSeq();
    });
  }

  /** The stream's row, or an empty one (seq 0, open) when nothing was appended yet. */
  StreamRow stream(String stream, String executionId) {
    return query(c -> {
      List<StreamRow> rows = streamRows(c, "WHERE stream = ?", stream);
      return rows.isEmpty() ? new StreamRow(stream, executionId, 0, false, false, 0, null) : rows.get(0);
    });
  }

  /** Every stream of an execution, oldest first. */
  List<StreamRow> streams(String executionId) {
    return query(c -> streamRows(c, "WHERE execution_id = ? ORDER BY created_at, stream", executionId));
  }

  /**
   * Up to {@code limit} lines of an execution with a cursor above {@code after}, in cursor order.
   * Reads chunk rows a few at a time, so a page holds only the chunks it needs.
   */
  List<LogPage.Line> read(String executionId, long after, int limit) {
    List<LogPage.Line> page = new ArrayList<>();
    long from = after;
    while (page.size() < limit) {
      long scanFrom = from;
      int rows = query(c -> {
        int n = 0;
        try (PreparedStatement ps = c.prepareStatement("SELECT stream, first_seq, first_cursor, last_cursor, "
            + "packed, body FROM log_chunks WHERE execution_id = ? AND last_cursor > ? ORDER BY last_cursor")) {
          ps.setMaxRows(WINDOW);
          ps.setString(1, executionId);
          ps.setLong(2, scanFrom);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next() && page.size() < limit) {
              n++;
              String stream = rs.getString(1);
              long firstSeq = rs.getLong(2);
              long firstCursor = rs.getLong(3);
              int skip = (int) Math.max(0, after - firstCursor + 1);
              ChunkCodec.decode(rs.getBytes(6), rs.getBoolean(5), skip, line -> {
                page.add(new LogPage.Line(firstCursor + line.index(), stream, firstSeq + line.index(), line.ts(),
                    line.level(), line.text()));
                return page.size() < limit;
              });
            }
          }
        }
        return n;
      });
      if (rows < WINDOW || page.isEmpty()) {
        break;
      }
      from = page.get(page.size() - 1).cursor();
    }
    return page;
  }

  /** The status of an execution (read from the executions feature's table), if it exists. */
  Optional<String> executionStatus(String executionId) {
    return query(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT status FROM executions WHERE id = ?")) {
        ps.setString(1, executionId);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
        }
      }
    });
  }

  private StreamRow lockStream(Connection c, String stream, String executionId) throws SQLException {
    List<StreamRow> rows = streamRows(c, "WHERE stream = ? FOR UPDATE", stream);
    if (!rows.isEmpty()) {
      return rows.get(0);
    }
    long now = clock.millis();
    // A concurrent first append inserts the same key: the unique violation retries the transaction.
    update(c, "INSERT INTO log_streams (stream, execution_id, last_seq, closed, compacted, created_at, updated_at) "
        + "VALUES (?, ?, ?, ?, ?, ?, ?)", stream, executionId, 0L, false, false, now, now);
    return new StreamRow(stream, executionId, 0, false, false, now, null);
  }

  private static List<StreamRow> streamRows(Connection c, String where, String arg) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT stream, execution_id, last_seq, closed, compacted, "
        + "updated_at, progress_done, progress_total, progress_item FROM log_streams " + where)) {
      ps.setString(1, arg);
      try (ResultSet rs = ps.executeQuery()) {
        List<StreamRow> rows = new ArrayList<>();
        while (rs.next()) {
          int done = rs.getInt(7);
          Progress progress = rs.wasNull() ? null : new Progress(done, rs.getInt(8), rs.getString(9));
          rows.add(new StreamRow(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getBoolean(4),
              rs.getBoolean(5), rs.getLong(6), progress));
        }
        return rows;
      }
    }
  }

  /** Takes {@code count} consecutive cursors of an execution; returns the first. */
  private static long reserveCursors(Connection c, String executionId, int count) throws SQLException {
    int updated = update(c, "UPDATE log_cursors SET next_cursor = next_cursor + ? WHERE execution_id = ?",
        (long) count, executionId);
    if (updated == 0) {
      update(c, "INSERT INTO log_cursors (execution_id, next_cursor) VALUES (?, ?)", executionId, count + 1L);
      return 1;
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT next_cursor FROM log_cursors WHERE execution_id = ?")) {
      ps.setString(1, executionId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1) - count;
      }
    }
  }

  // ---------------------------------------------------------------- plumbing (shared with LogCompactor)

  @FunctionalInterface
  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /** Runs {@code work} in one transaction; retries on a lost race (unique violation, deadlock, lock timeout). */
  <T> T inTransaction(Work<T> work) {
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
        if (attempt < ATTEMPTS && isRace(e)) {
          continue;
        }
        throw new IllegalStateException("Log store transaction failed: " + e.getMessage(), e);
      }
    }
  }

  <T> T query(Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      return work.run(c);
    } catch (SQLException e) {
      throw new IllegalStateException("Log store query failed: " + e.getMessage(), e);
    }
  }

  static int update(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        Object a = args[i];
        if (a instanceof String s) {
          ps.setString(i + 1, s);
        } else if (a instanceof Long l) {
          ps.setLong(i + 1, l);
        } else if (a instanceof Integer n) {
          ps.setInt(i + 1, n);
        } else if (a instanceof Boolean b) {
          ps.setBoolean(i + 1, b);
        } else if (a instanceof byte[] bytes) {
          ps.setBytes(i + 1, bytes);
        } else {
          throw new IllegalArgumentException("Unsupported SQL argument " + a);
        }
      }
      return ps.executeUpdate();
    }
  }

  /** Unique violation (23xxx), serialization failure or deadlock (40xxx), H2 lock timeout (HYT00). */
  private static boolean isRace(SQLException e) {
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

  private static String truncate(String text, int max) {
    return text == null || text.length() <= max ? text : text.substring(0, max);
  }
}
