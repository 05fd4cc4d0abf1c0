package io.dbops.controlplane.identity;

import io.dbops.controlplane.store.Sql;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Console sessions (docs/console-auth.md): opens one for an API token or an OIDC identity (the id
 * is 32 random bytes, base64url, handed out once as the {@code dbops_session} cookie; only its
 * SHA-256 is stored), checks a presented id (lifetime and idle limit), derives its CSRF token and
 * ends it. The CSRF token is a hash of the session id, so it is never stored either. Thread-safe.
 */
public final class ConsoleSessions {
  /** The cookie that carries the session id. */
  public static final String COOKIE = "dbops_session";
  /** {@code lastSeenAt} is written at most this often per session. */
  private static final Duration SEEN_GRANULARITY = Duration.ofSeconds(30);
  /** How long a redeemed OIDC state or code is remembered (far beyond any login's validity). */
  private static final Duration USED_MEMORY = Duration.ofDays(1);

  private final ConsoleSessionStore store;
  private final Clock clock;
  private final Duration lifetime;
  private final Duration idle;
  private final SecureRandom random = new SecureRandom();

  /** A new session and its id: the id goes into the cookie and nowhere else. */
  public record Opened(ConsoleSession session, String id) {
    public String csrfToken() {
      return csrf(id);
    }
  }

  /** The outcome of checking a presented session id. */
  public sealed interface Check {
    record Valid(ConsoleSession session) implements Check {}

    /** {@code reason} is safe to show: it never holds the session id. */
    record Refused(String reason) implements Check {}
  }

  /**
   * @param lifetime how long a session lasts at most ({@code DBOPS_CONSOLE_SESSION_HOURS})
   * @param idle a session unused for this long ends ({@code DBOPS_CONSOLE_SESSION_IDLE_MINUTES})
   */
  public ConsoleSessions(Sql sql, Clock clock, Duration lifetime, Duration idle) {
    this.store = new ConsoleSessionStore(sql);
    this.clock = clock;
    this.lifetime = lifetime;
    this.idle = idle;
  }

  /** Opens a session bound to {@code token}: it ends when the token expires or is revoked. */
  public Opened open(ApiToken token) {
    Instant now = clock.instant();
    Instant expires = now.plus(lifetime);
    if (token.expiresAt() != null && token.expiresAt().isBefore(expires)) {
      expires = token.expiresAt();
    }
    return insert(ConsoleSession.Via.SESSION_TOKEN, token.id(), null, token.name(), token.roles(),
        token.environments(), List.of(), now, expires);
  }

  /** Opens a session for an identity the identity provider vouched for. */
  public Opened openOidc(String subject, String name, Set<Role> roles, List<String> environments,
      List<String> groups) {
    Instant now = clock.instant();
    return insert(ConsoleSession.Via.OIDC, null, subject, name, roles, environments, groups, now,
        now.plus(lifetime));
  }

  private Opened insert(ConsoleSession.Via via, String tokenId, String subject, String name,
      Set<Role> roles, List<String> environments, List<String> groups, Instant now,
      Instant expires) {
    store.sweep(now, now.minus(idle));
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    ConsoleSession session = new ConsoleSession(TokenHash.of(id), via, tokenId, subject, name, roles,
        environments, groups, now, now, expires);
    store.insert(session);
    return new Opened(session, id);
  }

  /** Checks a presented session id; a valid session's {@code lastSeenAt} moves on. */
  public Check check(String id) {
    if (id == null || id.isBlank()) {
      return new Check.Refused("no console session was sent");
    }
    String hash = TokenHash.of(id);
    Optional<ConsoleSession> found = store.byHash(hash);
    if (found.isEmpty() || !TokenHash.same(found.get().idHash(), hash)) {
      return new Check.Refused("the console session is unknown (signed out, expired or never"
          + " opened); sign in again");
    }
    ConsoleSession s = found.get();
    Instant now = clock.instant();
    if (!now.isBefore(s.expiresAt())) {
      store.delete(hash);
      return new Check.Refused("the console session of '" + s.name() + "' expired at "
          + s.expiresAt() + " (DBOPS_CONSOLE_SESSION_HOURS); sign in again");
    }
    if (!now.isBefore(s.lastSeenAt().plus(idle))) {
      store.delete(hash);
      return new Check.Refused("the console session of '" + s.name() + "' was idle for more than "
          + idle.toMinutes() + " minute(s) (DBOPS_CONSOLE_SESSION_IDLE_MINUTES); sign in again");
    }
    if (s.lastSeenAt().plus(SEEN_GRANULARITY).isBefore(now)) {
      store.seen(hash, now);
    }
    return new Check.Valid(s);
  }

  /** Ends the session with this id; false when there was none. */
  public boolean close(String id) {
    return id != null && !id.isBlank() && store.delete(TokenHash.of(id));
  }

  /** Ends every session bound to an API token (called when it is revoked). */
  public int closeForToken(String tokenId) {
    return store.deleteForToken(tokenId);
  }

  /**
   * Records that an OIDC login's {@code value} (its state, its code) was redeemed.
   *
   * @return false when it already was: a replay
   */
  public boolean redeemOnce(String kind, String value) {
    Instant now = clock.instant();
    store.forgetUsedBefore(now.minus(USED_MEMORY));
    return store.markUsed(TokenHash.of(kind + ":" + value), now);
  }

  /** The CSRF token of the session with this id: a hash of it, so it need not be stored. */
  public static String csrf(String id) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] hash = digest.digest(("dbops-csrf\0" + id).getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  /** Compares a presented CSRF token with the session's, in constant time. */
  public static boolean csrfMatches(String id, String presented) {
    return presented != null && MessageDigest.isEqual(csrf(id).getBytes(StandardCharsets.UTF_8),
        presented.trim().getBytes(StandardCharsets.UTF_8));
  }

  public Duration lifetime() {
    return lifetime;
  }
}
