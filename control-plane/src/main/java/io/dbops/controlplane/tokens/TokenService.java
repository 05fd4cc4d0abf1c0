package io.dbops.controlplane.tokens;

import io.dbops.api.TokenCreated;
import io.dbops.controlplane.http.ApiException;
import io.dbops.controlplane.http.Requests;
import io.dbops.controlplane.http.Routes;
import io.dbops.controlplane.store.Ids;
import io.dbops.controlplane.store.Sql;
import io.javalin.Javalin;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Delegate tokens: creates them ({@code dbops_} + 40 random URL-safe characters), keeps only their
 * SHA-256 hash, and checks a presented token. Routes: {@code POST/GET /api/v1/tokens}. Thread-safe.
 */
public final class TokenService implements Routes {
  private static final char[] ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray();

  private final Sql sql;
  private final Clock clock;
  private final Ids ids;
  private final SecureRandom random = new SecureRandom();

  /** A token as listed: never its value. */
  public record TokenInfo(String id, String name, Instant createdAt, boolean revoked) {}

  /** Request body of {@code POST /api/v1/tokens}. */
  record CreateTokenRequest(String name) {}

  public TokenService(Sql sql, Clock clock, Ids ids) {
    this.sql = sql;
    this.clock = clock;
    this.ids = ids;
  }

  public TokenCreated create(String name) {
    if (name == null || name.isBlank() || name.length() > 200) {
      throw ApiException.badRequest("'name' is required: 1-200 characters naming the delegate",
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
    if (token == null || token.isBlank()) {
      return Optional.empty();
    }
    return sql.queryOne("SELECT id, name, created_at, revoked FROM tokens WHERE token_hash = ?",
            rs -> new TokenInfo(rs.getString("id"), rs.getString("name"),
                Instant.ofEpochMilli(rs.getLong("created_at")), rs.getBoolean("revoked")),
            sha256(token))
        .filter(t -> !t.revoked());
  }

  @Override
  public void addTo(Javalin app) {
    app.post("/api/v1/tokens", ctx -> {
      CreateTokenRequest request = Requests.body(ctx, CreateTokenRequest.class);
      ctx.status(201).json(create(request.name()));
    });
    app.get("/api/v1/tokens", ctx -> ctx.json(list()));
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
