package io.dbops.controlplane.identity;

import io.dbops.controlplane.Refusal;
import io.dbops.controlplane.store.Ids;
import io.dbops.controlplane.store.Sql;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * API tokens of people and service accounts (contract H): creates them (the value is shown once:
 * a kind prefix + 32 random bytes, base64url), keeps only the SHA-256 of the value, authenticates
 * a presented value, lists and revokes them. Thread-safe.
 */
public final class ApiTokens {
  static final int MAX_EXPIRY_DAYS = 3650;
  /** {@code lastUsedAt} is written at most this often per token. */
  private static final Duration LAST_USED_GRANULARITY = Duration.ofMinutes(1);

  private final ApiTokenStore store;
  private final Clock clock;
  private final Ids ids;
  private final SecureRandom random = new SecureRandom();

  /** What {@code POST /api/v1/access/tokens} asks for. */
  public record Request(String name, String kind, List<String> roles, List<String> environments,
      List<String> verbs, Integer expiresInDays) {}

  /** A freshly created token and its value (never stored, never shown again). */
  public record Created(ApiToken token, String value) {}

  /** The outcome of checking a presented value. */
  public sealed interface Check {
    /** A usable token. */
    record Valid(ApiToken token) implements Check {}

    /** Refused; {@code reason} is safe to show (it never holds the value). */
    record Refused(String reason) implements Check {}
  }

  public ApiTokens(Sql sql, Clock clock, Ids ids) {
    this.store = new ApiTokenStore(sql);
    this.clock = clock;
    this.ids = ids;
  }

  /**
   * Creates a token.
   *
   * @throws Refusal 400 naming every problem of the request
   */
  public Created create(Request r) {
    List<String> problems = new ArrayList<>();
    String name = r.name() == null ? "" : r.name().trim();
    if (name.isEmpty() || name.length() > 200) {
      problems.add("name is required: 1-200 characters naming the person or service");
    }
    ApiToken.Kind kind = r.kind() == null ? ApiToken.Kind.USER : ApiToken.Kind.parse(r.kind());
    if (kind == null) {
      problems.add("kind must be 'user' or 'service', not '" + r.kind() + "'");
    }
    Set<Role> roles = EnumSet.noneOf(Role.class);
    for (String role : r.roles() == null ? List.<String>of() : r.roles()) {
      Role.parse(role).ifPresentOrElse(roles::add, () -> problems.add("unknown role '" + role
          + "'; roles are viewer, deployer, approver, admin"));
    }
    if (roles.isEmpty() && (r.roles() == null || r.roles().isEmpty())) {
      problems.add("roles must name at least one of viewer, deployer, approver, admin");
    }
    Set<Verb> verbs = EnumSet.noneOf(Verb.class);
    for (String verb : r.verbs() == null ? List.<String>of() : r.verbs()) {
      Verb.parse(verb).ifPresentOrElse(verbs::add, () -> problems.add("unknown verb '" + verb
          + "'; verbs are " + EnumSet.allOf(Verb.class).stream().map(Verb::id).toList()));
    }
    for (Verb v : verbs) {
      if (!roles.isEmpty() && roles.stream().noneMatch(role -> role.grants(v))) {
        problems.add("verb '" + v.id() + "' is not granted by roles " + roles.stream().map(Role::id)
            .toList() + " (it needs role " + v.leastRole().id() + ")");
      }
    }
    List<String> environments = r.environments() == null ? List.of() : r.environments();
    if (environments.stream().anyMatch(e -> e == null || !e.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}"))) {
      problems.add("environments must be names of 1-64 letters, digits, '.', '_' or '-'");
    }
    if (r.expiresInDays() != null && (r.expiresInDays() < 1 || r.expiresInDays() > MAX_EXPIRY_DAYS)) {
      problems.add("expiresInDays must be between 1 and " + MAX_EXPIRY_DAYS + " (or null for no"
          + " expiry), not " + r.expiresInDays());
    }
    if (!problems.isEmpty()) {
      throw Refusal.invalid("Invalid access token request: " + String.join("; ", problems),
          problems);
    }
    Instant now = clock.instant();
    Instant expires = r.expiresInDays() == null ? null : now.plus(Duration.ofDays(r.expiresInDays()));
    ApiToken token = new ApiToken(ids.next(kind == ApiToken.Kind.USER ? "pat-" : "sat-", 12), name,
        kind, roles, environments.stream().distinct().toList(), verbs, expires, now, null, null);
    String value = newValue(kind);
    store.insert(token, TokenHash.of(value));
    return new Created(token, value);
  }

  /** Checks a presented value; a valid token's {@code lastUsedAt} is updated. */
  public Check check(String value) {
    if (value == null || value.isBlank()) {
      return new Check.Refused("no token was sent");
    }
    String hash = TokenHash.of(value);
    Optional<ApiTokenStore.Row> row = store.byHash(hash);
    if (row.isEmpty() || !TokenHash.same(row.get().hash(), hash)) {
      return new Check.Refused("the token is not a known API token");
    }
    ApiToken token = row.get().token();
    Instant now = clock.instant();
    if (token.revokedAt() != null) {
      return new Check.Refused("token '" + token.name() + "' (" + token.id() + ") was revoked at "
          + token.revokedAt());
    }
    if (token.expiredAt(now)) {
      return new Check.Refused("token '" + token.name() + "' (" + token.id() + ") expired at "
          + token.expiresAt());
    }
    if (token.lastUsedAt() == null
        || token.lastUsedAt().plus(LAST_USED_GRANULARITY).isBefore(now)) {
      store.used(token.id(), now);
    }
    return new Check.Valid(token);
  }

  /**
   * Checks the token a console session is bound to, by id: refused once it is revoked, expired
   * or gone. Does not touch {@code lastUsedAt} (the session's own activity is tracked).
   */
  public Check checkId(String id) {
    Optional<ApiToken> found = id == null ? Optional.empty() : store.byId(id);
    if (found.isEmpty()) {
      return new Check.Refused("the API token of this console session no longer exists");
    }
    ApiToken token = found.get();
    if (token.revokedAt() != null) {
      return new Check.Refused("token '" + token.name() + "' (" + token.id() + ") of this console"
          + " session was revoked at " + token.revokedAt());
    }
    if (token.expiredAt(clock.instant())) {
      return new Check.Refused("token '" + token.name() + "' (" + token.id() + ") of this console"
          + " session expired at " + token.expiresAt());
    }
    return new Check.Valid(token);
  }

  public List<ApiToken> list() {
    return store.all();
  }

  /**
   * Revokes a token; idempotent (the first revocation time is kept).
   *
   * @throws Refusal 404 for an unknown id
   */
  public ApiToken revoke(String id) {
    store.revoke(id, clock.instant());
    return store.byId(id).orElseThrow(() -> Refusal.notFound("No access token '" + id
        + "'; list them with GET /api/v1/access/tokens"));
  }

  /** True when no API token was ever created (the bootstrap creates the first admin). */
  boolean none() {
    return store.count() == 0;
  }

  private String newValue(ApiToken.Kind kind) {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return kind.prefix() + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
