package io.dbops.controlplane.identity;

import io.dbops.controlplane.store.Sql;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code console_sessions} table (one row per session, keyed by the SHA-256 of its id) and
 * {@code console_oidc_used} (hashes of OIDC states and codes already redeemed).
 */
final class ConsoleSessionStore {
  private static final String COLUMNS = "id_hash, via, token_id, subject, name, roles, environments,"
      + " groups_list, created_at, last_seen_at, expires_at";

  private final Sql sql;

  ConsoleSessionStore(Sql sql) {
    this.sql = sql;
  }

  void insert(ConsoleSession s) {
    sql.update("INSERT INTO console_sessions (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        s.idHash(), s.via().id(), s.tokenId(), s.subject(), s.name(), String.join(",", s.roleIds()),
        String.join(",", s.environments()), String.join("\n", s.groups()),
        s.createdAt().toEpochMilli(), s.lastSeenAt().toEpochMilli(), s.expiresAt().toEpochMilli());
  }

  Optional<ConsoleSession> byHash(String idHash) {
    return sql.queryOne("SELECT " + COLUMNS + " FROM console_sessions WHERE id_hash = ?",
        ConsoleSessionStore::row, idHash);
  }

  void seen(String idHash, Instant at) {
    sql.update("UPDATE console_sessions SET last_seen_at = ? WHERE id_hash = ?", at.toEpochMilli(),
        idHash);
  }

  boolean delete(String idHash) {
    return sql.update("DELETE FROM console_sessions WHERE id_hash = ?", idHash) > 0;
  }

  int deleteForToken(String tokenId) {
    return sql.update("DELETE FROM console_sessions WHERE token_id = ?", tokenId);
  }

  /** Deletes sessions past their lifetime or idle since before {@code idleBefore}. */
  int sweep(Instant now, Instant idleBefore) {
    return sql.update("DELETE FROM console_sessions WHERE expires_at <= ? OR last_seen_at <= ?",
        now.toEpochMilli(), idleBefore.toEpochMilli());
  }

  /** Records a redeemed value; false when it was already recorded (a replay). */
  boolean markUsed(String valueHash, Instant at) {
    try {
      sql.update("INSERT INTO console_oidc_used (value_hash, used_at) VALUES (?, ?)", valueHash,
          at.toEpochMilli());
      return true;
    } catch (RuntimeException e) {
      if (Sql.isUniqueViolation(e)) {
        return false;
      }
      throw e;
    }
  }

  void forgetUsedBefore(Instant before) {
    sql.update("DELETE FROM console_oidc_used WHERE used_at < ?", before.toEpochMilli());
  }

  private static ConsoleSession row(ResultSet rs) throws SQLException {
    Set<Role> roles = EnumSet.noneOf(Role.class);
    split(rs.getString("roles"), ",").forEach(r -> Role.parse(r).ifPresent(roles::add));
    return new ConsoleSession(rs.getString("id_hash"),
        ConsoleSession.Via.parse(rs.getString("via")), rs.getString("token_id"),
        rs.getString("subject"), rs.getString("name"), roles,
        split(rs.getString("environments"), ","), split(rs.getString("groups_list"), "\n"),
        Instant.ofEpochMilli(rs.getLong("created_at")),
        Instant.ofEpochMilli(rs.getLong("last_seen_at")),
        Instant.ofEpochMilli(rs.getLong("expires_at")));
  }

  private static List<String> split(String joined, String separator) {
    if (joined == null || joined.isBlank()) {
      return List.of();
    }
    return Arrays.stream(joined.split(separator)).map(String::trim).filter(s -> !s.isEmpty())
        .toList();
  }
}
