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
import java.util.stream.Collectors;

/** The {@code api_tokens} table: one row per API token, with the SHA-256 of its value. */
final class ApiTokenStore {
  private static final String COLUMNS = "id, name, kind, token_hash, roles, environments, verbs,"
      + " expires_at, created_at, last_used_at, revoked_at";

  private final Sql sql;

  ApiTokenStore(Sql sql) {
    this.sql = sql;
  }

  /** A row: the token and the hash of its value. */
  record Row(ApiToken token, String hash) {}

  void insert(ApiToken t, String hash) {
    sql.update("INSERT INTO api_tokens (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        t.id(), t.name(), t.kind().id(), hash, String.join(",", t.roleIds()),
        String.join(",", t.environments()), String.join(",", t.verbIds()), millis(t.expiresAt()),
        t.createdAt().toEpochMilli(), null, null);
  }

  Optional<Row> byHash(String hash) {
    return sql.queryOne("SELECT " + COLUMNS + " FROM api_tokens WHERE token_hash = ?",
        ApiTokenStore::row, hash);
  }

  Optional<ApiToken> byId(String id) {
    return sql.queryOne("SELECT " + COLUMNS + " FROM api_tokens WHERE id = ?", ApiTokenStore::row, id)
        .map(Row::token);
  }

  List<ApiToken> all() {
    return sql.query("SELECT " + COLUMNS + " FROM api_tokens ORDER BY created_at, id",
        ApiTokenStore::row, 0).stream().map(Row::token).toList();
  }

  long count() {
    return sql.queryOne("SELECT COUNT(*) FROM api_tokens", rs -> rs.getLong(1)).orElse(0L);
  }

  void revoke(String id, Instant at) {
    sql.update("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
        at.toEpochMilli(), id);
  }

  void used(String id, Instant at) {
    sql.update("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", at.toEpochMilli(), id);
  }

  private static Row row(ResultSet rs) throws SQLException {
    Set<Role> roles = EnumSet.noneOf(Role.class);
    split(rs.getString("roles")).forEach(r -> Role.parse(r).ifPresent(roles::add));
    Set<Verb> verbs = EnumSet.noneOf(Verb.class);
    split(rs.getString("verbs")).forEach(v -> Verb.parse(v).ifPresent(verbs::add));
    ApiToken token = new ApiToken(rs.getString("id"), rs.getString("name"),
        ApiToken.Kind.parse(rs.getString("kind")), roles, split(rs.getString("environments")), verbs,
        instant(rs, "expires_at"), instant(rs, "created_at"), instant(rs, "last_used_at"),
        instant(rs, "revoked_at"));
    return new Row(token, rs.getString("token_hash"));
  }

  private static List<String> split(String csv) {
    if (csv == null || csv.isBlank()) {
      return List.of();
    }
    return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty())
        .collect(Collectors.toList());
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : Instant.ofEpochMilli(v);
  }

  private static Long millis(Instant i) {
    return i == null ? null : i.toEpochMilli();
  }
}
