package io.dbops.controlplane.audit;

import com.fasterxml.jackson.core.type.TypeReference;
import io.dbops.controlplane.store.Sql;
import io.dbops.support.Json;
import java.io.IOException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only audit log ({@code audit_log} table): each entry has the next {@code seq} and
 * the SHA-256 of the previous entry's hash and its own fields ({@link ChainHash}), so an edited,
 * removed or reordered entry breaks the chain ({@link #verify}). Replicas append to the same
 * table: a lost race for a {@code seq} (primary key) is retried with the new head. Thread-safe.
 */
public final class AuditLog implements Audit {
  private static final Logger log = LoggerFactory.getLogger(AuditLog.class);
  private static final String COLUMNS =
      "seq, at, actor, action, target, address, outcome, details, prev_hash, hash";
  private static final int PAGE = 1000;

  private final Sql sql;
  private final Clock clock;

  /** Filters of {@link #list}; null or blank means no filter. */
  public record Filter(String actor, String action, String target, Instant since, int limit) {}

  /** The result of {@link #verify}: {@code firstBad} is null when the chain is intact. */
  public record Verification(boolean ok, long entries, Bad firstBad) {}

  /** The first entry that does not fit the chain, and why. */
  public record Bad(long seq, String reason) {}

  private record Head(long seq, String hash) {}

  public AuditLog(Sql sql, Clock clock) {
    this.sql = sql;
    this.clock = clock;
  }

  @Override
  public void record(AuditEvent event) {
    try {
      append(event);
    } catch (RuntimeException e) {
      log.error("Could not append to the audit log: {} {} by {} ({})", event.action(),
          event.target(), event.actor(), event.outcome(), e);
    }
  }

  /** Appends the event; returns its seq. */
  public synchronized long append(AuditEvent event) {
    for (int attempt = 0; ; attempt++) {
      Head head = sql.query("SELECT seq, hash FROM audit_log ORDER BY seq DESC",
          rs -> new Head(rs.getLong(1), rs.getString(2)), 1).stream().findFirst()
          .orElse(new Head(0, ChainHash.GENESIS));
      long seq = head.seq() + 1;
      String prev = head.hash();
      long at = clock.millis();
      String hash = ChainHash.of(prev, seq, at, event);
      try {
        sql.update("INSERT INTO audit_log (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            seq, at, event.actor(), event.action(), event.target(), event.address(),
            event.outcome(), Json.write(event.details()), prev, hash);
        return seq;
      } catch (Sql.StoreException e) {
        if (!Sql.isUniqueViolation(e) || attempt >= 20) {
          throw e;
        }
        // another replica appended this seq first: chain onto its entry
      }
    }
  }

  /** Entries matching the filter, newest first. */
  public List<AuditEntry> list(Filter f) {
    StringBuilder where = new StringBuilder(" WHERE 1 = 1");
    List<Object> args = new ArrayList<>();
    if (f.actor() != null && !f.actor().isBlank()) {
      where.append(" AND actor LIKE ?");
      args.add("%" + f.actor().trim() + "%");
    }
    if (f.action() != null && !f.action().isBlank()) {
      where.append(" AND action = ?");
      args.add(f.action().trim());
    }
    if (f.target() != null && !f.target().isBlank()) {
      where.append(" AND target = ?");
      args.add(f.target().trim());
    }
    if (f.since() != null) {
      where.append(" AND at >= ?");
      args.add(f.since().toEpochMilli());
    }
    return sql.query("SELECT " + COLUMNS + " FROM audit_log" + where + " ORDER BY seq DESC",
        AuditLog::entry, f.limit(), args.toArray());
  }

  /** Recomputes the whole chain from seq 1 and names the first entry that does not fit. */
  public Verification verify() {
    long expected = 1;
    String prev = ChainHash.GENESIS;
    long count = 0;
    while (true) {
      List<AuditEntry> page = sql.query("SELECT " + COLUMNS + " FROM audit_log WHERE seq >= ?"
          + " ORDER BY seq", AuditLog::entry, PAGE, expected);
      for (AuditEntry e : page) {
        count++;
        if (e.seq() != expected) {
          return bad(count, expected, "entry " + expected + " is missing: the chain goes from "
              + (expected - 1) + " to " + e.seq() + " (removed)");
        }
        if (!e.prevHash().equals(prev)) {
          return bad(count, e.seq(), "its prevHash is not the hash of entry " + (expected - 1)
              + " (an entry before it was removed, replaced or reordered)");
        }
        String recomputed = ChainHash.of(e.prevHash(), e.seq(), e.at().toEpochMilli(),
            new AuditEvent(e.actor(), e.action(), e.target(), e.address(), e.outcome(),
                e.details()));
        if (!recomputed.equals(e.hash())) {
          return bad(count, e.seq(), "its fields do not match its hash (the entry was edited)");
        }
        prev = e.hash();
        expected++;
      }
      if (page.size() < PAGE) {
        return new Verification(true, count, null);
      }
    }
  }

  private Verification bad(long count, long seq, String reason) {
    long total = sql.queryOne("SELECT COUNT(*) FROM audit_log", rs -> rs.getLong(1)).orElse(count);
    return new Verification(false, total, new Bad(seq, reason));
  }

  private static AuditEntry entry(ResultSet rs) throws SQLException {
    Map<String, String> details;
    try {
      String text = rs.getString("details");
      details = text == null || text.isBlank() ? Map.of()
          : Json.mapper().readValue(text, new TypeReference<Map<String, String>>() {});
    } catch (IOException e) {
      details = Map.of("unreadable", "details are not valid JSON");
    }
    return new AuditEntry(rs.getLong("seq"), Instant.ofEpochMilli(rs.getLong("at")),
        rs.getString("actor"), rs.getString("action"), rs.getString("target"),
        rs.getString("address"), rs.getString("outcome"), details, rs.getString("hash"),
        rs.getString("prev_hash"));
  }
}
