package io.dbops.controlplane.tokens;

import io.dbops.api.TokenCreated;
import io.dbops.controlplane.Refusal;
import io.dbops.controlplane.store.Ids;
import io.dbops.controlplane.store.Sql;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Delegate tokens: creates them ({@code dbops_} + 40 random URL-safe characters), keeps only their
 * SHA-256 hash, checks a presented token, and revokes tokens ({@link DelegateTokenRoutes} is
 * its HTTP edge). Thread-safe.
 */
public final class TokenService {
  private static final char[] ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray();

  private final Sql sql;
  private final Clock clock;
  private final Ids ids;
  private final SecureRandom random = new SecureRandom();
  private final List<Consumer<String>> revokeListeners = new CopyOnWriteArrayList<>();

  /** A token as listed: never its value. */
  public record TokenInfo(String id, String name, Instant createdAt, boolean revoked) {}

  public TokenService(Sql sql, Clock clock, Ids ids) {
    this.sql = sql;
    this.clock = clock;
    this.ids = ids;
  }

  public TokenCreated create(String name) {
    if (name == null || name.isBlank() || name.length() > 200) {
      throw Refusal.invalid("'name' is required: 1-200 characters naming the delegate",
          List.of("name is required"));
    }
    StringBuilder token = new StringBuilder("dbops_");
    for (int i = 0; i < 40; i++) {
      token.append(ALPHABET[random.nextInt(ALPHABET.length)]);
    }
    String id = ids.next("tok-", 12);
    Instant now = clock.instant();
    sql.update("INSERT INTO tokens (id, name, token_hash, created_at, revoked) VALUES (?, ?, ?, ?, ?)",
        id, name.trim(), sha256(token.toString()), now.toEpochMilli(), false);
    return new TokenCreated(id, name.trim(), token.toString(), now);
  }

  public List<TokenInfo> list() {
    return sql.query("SELECT id, name, created_at, revoked FROM tokens ORDER BY created_at, id",
        rs -> new TokenInfo(rs.getString("id"), rs.getString("name"),
            Instant.ofEpochMilli(rs.getLong("created_at")), rs.getBoolean("revoked")), 0);
  }

  /** The token's record when the token is known and not revoked. */
  public Optional<TokenInfo> authenticate(String token) {
    return lookup(token).filter(t -> !t.revoked());
  }

  /** The token's record when the token is known, revoked or not. */
  public Optional<TokenInfo> lookup(String token) {
    if (token == null || token.isBlank()) {
      return Optional.empty();
    }
    return sql.queryOne("SELECT id, name, created_at, revoked FROM tokens WHERE token_hash = ?",
        TokenService::map, sha256(token));
  }

  /** Told the id of every token revoked through this process (also repeated revocations). */
  public void onRevoke(Consumer<String> listener) {
    revokeListeners.add(listener);
  }

  /**
   * Revokes a token; idempotent.
   *
   * @throws Refusal 404 for an unknown id
   */
  public TokenInfo revoke(String id) {
    sql.update("UPDATE tokens SET revoked = ? WHERE id = ?", true, id);
    TokenInfo info = sql.queryOne("SELECT id, name, created_at, revoked FROM tokens WHERE id = ?",
        TokenService::map, id).orElseThrow(() -> Refusal.notFound("No token '" + id
            + "'; list them with GET /api/v1/tokens"));
    revokeListeners.forEach(l -> l.accept(id));
    return info;
  }

  /** The ids among {@code ids} of tokens that are revoked. */
  public Set<String> revokedAmong(Collection<String> ids) {
    if (ids.isEmpty()) {
      return Set.of();
    }
    List<Object> args = new ArrayList<>();
    args.add(true);
    args.addAll(ids);
    return new HashSet<>(sql.query("SELECT id FROM tokens WHERE revoked = ? AND id IN ("
        + String.join(", ", Collections.nCopies(ids.size(), "?")) + ")", rs -> rs.getString(1), 0,
        args.toArray()));
  }

  private static TokenInfo map(java.sql.ResultSet rs) throws java.sql.SQLException {
    return new TokenInfo(rs.getString("id"), rs.getString("name"),
        Instant.ofEpochMilli(rs.getLong("created_at")), rs.getBoolean("revoked"));
  }

  static String sha256(String value) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(value.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
