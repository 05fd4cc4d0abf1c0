package io.dbops.controlplane.logs;

import io.dbops.api.LogPage;
import io.dbops.controlplane.Refusal;
import io.dbops.controlplane.store.Sql;
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

  private final Sql sql;
  private final Clock clock;

  LogStore(Sql sql, Clock clock) {
    this.sql = sql;
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
   * @throws Refusal 409 {@code sequence_gap} or {@code stream_closed}
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
        throw new Refusal(Refusal.Kind.CONFLICT, "sequence_gap", "Batch of " + stream + " starts at seq " + first
            + " but the stored last is " + last + "; resend from seq " + (last + 1),
            List.of("expected seq " + (last + 1)));
      }
      fresh = first > last ? lines : lines.subList((int) Math.min(lines.size(), last - first + 1), lines.size());
    }
    if (!fresh.isEmpty() && row.closed() && !internal) {
      throw new Refusal(Refusal.Kind.CONFLICT, "stream_closed", "Log stream " + stream + " was closed at seq " + last
          + "; a closed stream takes no more lines", List.of("closed at seq " + last));
    }
    long now = clock.millis();
    if (!fresh.isEmpty()) {
      long firstCursor = reserveCursors(c, row.executionId(), fresh.size());
      LogLine head = fresh.get(0);
      LogLine tail = fresh.get(fresh.size() - 1);
      Sql.update(c, "INSERT INTO log_chunks (stream, first_seq, last_seq, execution_id, first_cursor, last_cursor, "
              + "packed, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
          stream, head.seq(), tail.seq(), row.executionId(), firstCursor, firstCursor + fresh.size() - 1, false,
          ChunkCodec.encode(fresh));
      last = tail.seq();
    }
    if (progress != null) {
      Sql.update(c, "UPDATE log_streams SET last_seq = ?, updated_at = ?, compacted = ?, progress_done = ?, "
              + "progress_total = ?, progress_item = ?, progress_at = ? WHERE stream = ?",
          last, now, row.compacted() && fresh.isEmpty(), progress.done(), progress.total(),
          truncate(progress.item(), 1000), now, stream);
    } else if (!fresh.isEmpty()) {
      Sql.update(c, "UPDATE log_streams SET last_seq = ?, updated_at = ?, compacted = ? WHERE stream = ?",
          last, now, false, stream);
    }
    return last;
  }

  /**
   * Closes a stream at {@code lastSeq} (idempotent).
   *
   * @throws Refusal 409 {@code sequence_gap} when lines before {@code lastSeq} are missing
   */
  long close(String stream, String executionId, long lastSeq) {
    return inTransaction(c -> {
      StreamRow row = lockStream(c, stream, executionId);
      if (lastSeq > row.lastSeq()) {
        throw new Refusal(Refusal.Kind.CONFLICT, "sequence_gap", "Log stream " + stream + " holds lines up to seq "
            + row.lastSeq() + ", not " + lastSeq + "; send the missing lines before closing it",
            List.of("expected seq " + (row.lastSeq() + 1)));
      }
      if (!row.closed()) {
        long now = clock.millis();
        Sql.update(c, "UPDATE log_streams SET closed = ?, closed_at = ?, updated_at = ? WHERE stream = ?",
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
    return sql.queryOne("SELECT status FROM executions WHERE id = ?", rs -> rs.getString(1), executionId);
  }

  private StreamRow lockStream(Connection c, String stream, String executionId) throws SQLException {
    List<StreamRow> rows = streamRows(c, "WHERE stream = ? FOR UPDATE", stream);
    if (!rows.isEmpty()) {
      return rows.get(0);
    }
    long now = clock.millis();
    // A concurrent first append inserts the same key: the unique violation retries the transaction.
    Sql.update(c, "INSERT INTO log_streams (stream, execution_id, last_seq, closed, compacted, created_at, updated_at) "
        + "VALUES (?, ?, ?, ?, ?, ?, ?)", stream, executionId, 0L, false, false, now, now);
    return new StreamRow(stream, executionId, 0, false, false, now, null);
  }

  private static List<StreamRow> streamRows(Connection c, String where, String arg) throws SQLException {
    return Sql.query(c, "SELECT stream, execution_id, last_seq, closed, compacted, updated_at, progress_done, "
        + "progress_total, progress_item FROM log_streams " + where, rs -> {
          int done = rs.getInt(7);
          Progress progress = rs.wasNull() ? null : new Progress(done, rs.getInt(8), rs.getString(9));
          return new StreamRow(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getBoolean(4),
              rs.getBoolean(5), rs.getLong(6), progress);
        }, 0, arg);
  }

  /** Takes {@code count} consecutive cursors of an execution; returns the first. */
  private static long reserveCursors(Connection c, String executionId, int count) throws SQLException {
    int updated = Sql.update(c, "UPDATE log_cursors SET next_cursor = next_cursor + ? WHERE execution_id = ?",
        (long) count, executionId);
    if (updated == 0) {
      Sql.update(c, "INSERT INTO log_cursors (execution_id, next_cursor) VALUES (?, ?)", executionId, count + 1L);
      return 1;
    }
    return Sql.query(c, "SELECT next_cursor FROM log_cursors WHERE execution_id = ?", rs -> rs.getLong(1), 1,
        executionId).get(0) - count;
  }

  // ---------------------------------------------------------------- plumbing (shared with LogCompactor)

  /** Runs {@code work} in one transaction; retried when it lost a race ({@link Sql#isRace}). */
  <T> T inTransaction(Sql.Work<T> work) {
    return sql.inTransaction(ATTEMPTS, work);
  }

  <T> T query(Sql.Work<T> work) {
    return sql.withConnection(work);
  }

  private static String truncate(String text, int max) {
    return text == null || text.length() <= max ? text : text.substring(0, max);
  }
}
