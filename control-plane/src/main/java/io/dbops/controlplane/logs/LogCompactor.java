package io.dbops.controlplane.logs;

import io.dbops.controlplane.store.Sql;

import io.dbops.logship.LogLine;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The durable snapshot of closed streams, and the retention of old executions' logs. A closed
 * stream's chunks are rewritten into deflated chunks of up to {@value #PACK_LINES} lines; only
 * chunks that follow each other in cursor order without a gap are merged, so lines keep their
 * cursors and chunks never overlap. Each merge is one transaction under the stream's row lock, so
 * a reader sees either the old chunks or the new one, never both, and two replicas never merge the
 * same chunks. Thread-safe (stateless over the store).
 */
final class LogCompactor {
  static final int PACK_LINES = 10_000;

  private final LogStore store;
  private volatile boolean stopping;

  LogCompactor(LogStore store) {
    this.store = store;
  }

  /** Makes running passes stop at the next chunk group (shutdown); what is done stays done. */
  void stop() {
    stopping = true;
  }

  private record Chunk(String stream, long firstSeq, long lastSeq, long firstCursor, long lastCursor, boolean packed) {
    long lines() {
      return lastSeq - firstSeq + 1;
    }
  }

  /** Closes open streams of finished executions not appended to since {@code idleBefore} (millis). */
  int closeIdle(long idleBefore, long now) {
    return store.inTransaction(c -> Sql.update(c, "UPDATE log_streams SET closed = ?, closed_at = ? "
        + "WHERE closed = ? AND updated_at < ? AND execution_id IN "
        + "(SELECT id FROM executions WHERE finished_at IS NOT NULL)", true, now, false, idleBefore));
  }

  /** Snapshots every closed stream not compacted yet; returns how many. */
  int compactClosed() {
    List<String[]> pending = store.query(c -> {
      List<String[]> rows = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT stream, execution_id, updated_at FROM log_streams "
          + "WHERE closed = ? AND compacted = ?")) {
        ps.setBoolean(1, true);
        ps.setBoolean(2, false);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            rows.add(new String[] {rs.getString(1), rs.getString(2), Long.toString(rs.getLong(3))});
          }
        }
      }
      return rows;
    });
    int done = 0;
    for (String[] row : pending) {
      if (stopping) {
        break;
      }
      compact(row[0], row[1], Long.parseLong(row[2]));
      done++;
    }
    return done;
  }

  /** Rewrites one stream's chunks into packed ones; marks it compacted unless it changed meanwhile. */
  void compact(String stream, String executionId, long updatedAt) {
    List<Chunk> all = store.query(c -> chunks(c, executionId));
    List<List<Chunk>> groups = new ArrayList<>();
    List<Chunk> group = new ArrayList<>();
    long groupLines = 0;
    for (Chunk chunk : all) {
      boolean ours = chunk.stream().equals(stream);
      boolean follows = !group.isEmpty() && ours
          && chunk.firstCursor() == group.get(group.size() - 1).lastCursor() + 1
          && groupLines + chunk.lines() <= PACK_LINES;
      if (!follows && !group.isEmpty()) {
        groups.add(group);
        group = new ArrayList<>();
        groupLines = 0;
      }
      if (ours) {
        group.add(chunk);
        groupLines += chunk.lines();
      }
    }
    if (!group.isEmpty()) {
      groups.add(group);
    }
    for (List<Chunk> g : groups) {
      if (stopping) {
        return; // not marked compacted: the next start finishes it
      }
      if (g.size() > 1 || !g.get(0).packed()) {
        pack(stream, executionId, g);
      }
    }
    store.inTransaction(c -> Sql.update(c, "UPDATE log_streams SET compacted = ? WHERE stream = ? "
        + "AND updated_at = ?", true, stream, updatedAt));
  }

  private void pack(String stream, String executionId, List<Chunk> group) {
    store.inTransaction(c -> {
      try (PreparedStatement lock = c.prepareStatement("SELECT stream FROM log_streams WHERE stream = ? FOR UPDATE")) {
        lock.setString(1, stream);
        lock.executeQuery().close();
      }
      List<byte[]> raw = new ArrayList<>();
      for (Chunk chunk : group) {
        try (PreparedStatement ps = c.prepareStatement("SELECT packed, body FROM log_chunks WHERE stream = ? "
            + "AND first_seq = ? AND last_seq = ?")) {
          ps.setString(1, stream);
          ps.setLong(2, chunk.firstSeq());
          ps.setLong(3, chunk.lastSeq());
          try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
              return null; // merged meanwhile (another replica): nothing to do
            }
            raw.add(rs.getBoolean(1) ? ChunkCodec.inflate(rs.getBytes(2)) : rs.getBytes(2));
          }
        }
      }
      for (Chunk chunk : group) {
        Sql.update(c, "DELETE FROM log_chunks WHERE stream = ? AND first_seq = ?", stream, chunk.firstSeq());
      }
      Chunk head = group.get(0);
      Chunk tail = group.get(group.size() - 1);
      Sql.update(c, "INSERT INTO log_chunks (stream, first_seq, last_seq, execution_id, first_cursor, "
              + "last_cursor, packed, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
          stream, head.firstSeq(), tail.lastSeq(), executionId, head.firstCursor(), tail.lastCursor(), true,
          ChunkCodec.deflate(ChunkCodec.join(raw)));
      return null;
    });
  }

  /** Deletes every log of the executions that finished before {@code finishedBefore} (millis). */
  int deleteFinishedBefore(long finishedBefore) {
    List<String> expired = store.query(c -> {
      List<String> ids = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT c.execution_id FROM log_cursors c JOIN executions e "
          + "ON e.id = c.execution_id WHERE e.finished_at IS NOT NULL AND e.finished_at < ?")) {
        ps.setLong(1, finishedBefore);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            ids.add(rs.getString(1));
          }
        }
      }
      return ids;
    });
    for (String id : expired) {
      store.inTransaction(c -> {
        Sql.update(c, "DELETE FROM log_chunks WHERE execution_id = ?", id);
        Sql.update(c, "DELETE FROM log_streams WHERE execution_id = ?", id);
        return Sql.update(c, "DELETE FROM log_cursors WHERE execution_id = ?", id);
      });
    }
    return expired.size();
  }

  /**
   * Moves lines of the issue #2 table {@code log_lines} into chunks (same order), then empties it.
   * Idempotent (appends skip stored sequence numbers), so an interrupted move just runs again.
   */
  int migrateLegacyLines() {
    List<String> executions = store.query(c -> {
      List<String> ids = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT execution_id FROM log_lines");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getString(1));
        }
      }
      return ids;
    });
    for (String executionId : executions) {
      List<Object[]> rows = store.query(c -> {
        List<Object[]> lines = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT stream, seq, ts, line_level, line_text FROM log_lines "
            + "WHERE execution_id = ? ORDER BY cursor_pos")) {
          ps.setString(1, executionId);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              lines.add(new Object[] {rs.getString(1),
                  new LogLine(rs.getLong(2), rs.getLong(3), rs.getString(4), rs.getString(5))});
            }
          }
        }
        return lines;
      });
      String stream = null;
      List<LogLine> run = new ArrayList<>();
      for (Object[] row : rows) {
        if (!row[0].equals(stream) || run.size() == LogStore.MAX_BATCH) {
          flush(stream, executionId, run);
          stream = (String) row[0];
        }
        run.add((LogLine) row[1]);
      }
      flush(stream, executionId, run);
      store.inTransaction(c -> Sql.update(c, "DELETE FROM log_lines WHERE execution_id = ?", executionId));
    }
    return executions.size();
  }

  private void flush(String stream, String executionId, List<LogLine> run) {
    if (!run.isEmpty()) {
      store.append(stream, executionId, List.copyOf(run), null, true);
      run.clear();
    }
  }

  private static List<Chunk> chunks(Connection c, String executionId) throws SQLException {
    List<Chunk> chunks = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT stream, first_seq, last_seq, first_cursor, last_cursor, "
        + "packed FROM log_chunks WHERE execution_id = ? ORDER BY last_cursor")) {
      ps.setString(1, executionId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          chunks.add(new Chunk(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
              rs.getBoolean(6)));
        }
      }
    }
    return chunks;
  }
}
