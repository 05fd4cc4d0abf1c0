package io.dbops.controlplane.identity;

import io.dbops.controlplane.audit.Audit;
import io.dbops.controlplane.audit.AuditEvent;
import io.dbops.controlplane.http.Access;
import io.dbops.controlplane.Refusal;
import io.dbops.controlplane.http.Gate;
import io.dbops.controlplane.http.Requests;
import io.dbops.controlplane.http.RouteRule;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Enforces the rule of API token routes: 401 without a usable API token (slowed down to 429 after
 * repeated failures from one address, {@link FailureThrottle}), 403 when the token's roles or verb
 * limit do not grant the route's verb. A request without an {@code Authorization} header may
 * present a console session ({@code dbops_session} cookie, {@link ConsoleSessions}) instead; a
 * session bound to an API token is refused once that token is revoked or expired, and with a
 * session every method but GET, HEAD and OPTIONS needs the session's {@code X-CSRF-Token} header
 * (403 {@code csrf}). A refusal on a mutating route is audited. Messages name the credential or
 * role needed and the token's name, never a presented value.
 */
public final class AccessGate implements Gate {
  static final String NEEDED = "This route needs an API token (Authorization: Bearer ...); set"
      + " DBOPS_API_TOKEN or run dbops login";
  /** The header a session's state-changing request carries its CSRF token in. */
  public static final String CSRF_HEADER = "X-CSRF-Token";
  /** Routes where an HTML form may send the CSRF token as the form field {@code csrf}. */
  private static final Set<String> FORM_CSRF_ROUTES = Set.of("POST /console/logout");
  private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");

  private final ApiTokens tokens;
  private final FailureThrottle throttle;
  private final Audit audit;
  private final ConsoleSessions sessions;

  public AccessGate(ApiTokens tokens, FailureThrottle throttle, Audit audit) {
    this(tokens, throttle, audit, null);
  }

  /** @param sessions console sessions accepted by cookie; null accepts bearer tokens only */
  public AccessGate(ApiTokens tokens, FailureThrottle throttle, Audit audit,
      ConsoleSessions sessions) {
    this.tokens = tokens;
    this.throttle = throttle;
    this.audit = audit;
    this.sessions = sessions;
  }

  @Override
  public Caller admit(Context ctx, RouteRule route) {
    if (route.access().kind() != Access.Kind.API_TOKEN) {
      return null;
    }
    String address = ctx.ip();
    String authorization = ctx.header("Authorization");
    String cookie = sessions == null || authorization != null ? null
        : ctx.cookie(ConsoleSessions.COOKIE);
    Caller caller = cookie != null ? session(ctx, route, cookie, address) : bearer(ctx, route,
        authorization, address);
    ApiToken token = caller.token();
    Verb verb = route.access().verb();
    if (verb != null && !token.allows(verb)) {
      refuse(route, token.label(), address, "refused: 403 forbidden");
      throw Refusal.forbidden(forbidden(token, verb, route));
    }
    return caller;
  }

  private Caller bearer(Context ctx, RouteRule route, String authorization, String address) {
    ApiTokens.Check check = tokens.check(Requests.bearer(authorization));
    if (check instanceof ApiTokens.Check.Refused refused) {
      throw unauthenticated(ctx, route, address, refused.reason());
    }
    return new Caller(((ApiTokens.Check.Valid) check).token(), address);
  }

  private Caller session(Context ctx, RouteRule route, String id, String address) {
    ConsoleSessions.Check check = sessions.check(id);
    if (check instanceof ConsoleSessions.Check.Refused refused) {
      // Not counted by the throttle: a 256-bit id cannot be guessed, and a console left open in
      // several tabs after its session ended would otherwise lock the person out of signing in.
      refuse(route, "anonymous", address, "refused: 401 unauthorized");
      throw Refusal.unauthenticated(NEEDED + " (" + refused.reason() + ")");
    }
    ConsoleSession session = ((ConsoleSessions.Check.Valid) check).session();
    ApiToken token;
    if (session.via() == ConsoleSession.Via.SESSION_TOKEN) {
      ApiTokens.Check bound = tokens.checkId(session.tokenId());
      if (bound instanceof ApiTokens.Check.Refused refused) {
        sessions.close(id); // bound to its token: a revoked token's session ends for good
        throw unauthenticated(ctx, route, address, refused.reason());
      }
      token = ((ApiTokens.Check.Valid) bound).token();
    } else {
      token = new ApiToken(ConsoleSession.oidcId(session.subject()), session.name(),
          ApiToken.Kind.USER, session.roles(), session.environments(), Set.of(),
          session.expiresAt(), session.createdAt(), session.lastSeenAt(), null);
    }
    if (!SAFE_METHODS.contains(route.method())) {
      String presented = ctx.header(CSRF_HEADER);
      if (presented == null && FORM_CSRF_ROUTES.contains(route.method() + " " + route.path())) {
        presented = ctx.formParam("csrf");
      }
      if (!ConsoleSessions.csrfMatches(id, presented)) {
        refuse(route, token.label(), address, "refused: 403 csrf");
        throw new Refusal(Refusal.Kind.FORBIDDEN, "csrf", route.method() + " " + route.path()
            + " with a console session needs the session's CSRF token in the " + CSRF_HEADER
            + " header (" + (presented == null ? "none was sent" : "the one sent does not match")
            + "); GET /api/v1/session shows it", List.of());
      }
    }
    return new Caller(token, address, session.via().id(), session.groups(), session);
  }

  private Refusal unauthenticated(Context ctx, RouteRule route, String address, String reason) {
    Optional<Duration> wait = throttle.failed(address);
    if (wait.isPresent()) {
      long seconds = Math.max(1, (wait.get().toMillis() + 999) / 1000);
      refuse(route, "anonymous", address, "throttled: 429");
      ctx.header("Retry-After", Long.toString(seconds));
      return new Refusal(Refusal.Kind.TOO_MANY, "too_many_failures", "Too many failed"
          + " authentications from " + address + "; retry after " + seconds + " s. " + NEEDED,
          List.of());
    }
    refuse(route, "anonymous", address, "refused: 401 unauthorized");
    return Refusal.unauthenticated(NEEDED + " (" + reason + ")");
  }

  private static String forbidden(ApiToken token, Verb verb, RouteRule route) {
    boolean roleGrants = token.roles().stream().anyMatch(r -> r.grants(verb));
    String why = roleGrants
        ? "its verbs are limited to " + token.verbIds() + " (rule: token verbs)"
        : "it has role(s) " + token.roleIds() + " (rule: roles)";
    return route.method() + " " + route.path() + " needs verb '" + verb.id() + "' (role "
        + verb.leastRole().id() + " or admin); token '" + token.name() + "' may not: " + why
        + ". An admin can create a token that may (POST /api/v1/access/tokens)";
  }

  private void refuse(RouteRule route, String actor, String address, String outcome) {
    if (route.mutating()) {
      audit.record(new AuditEvent(actor, "access.refused", route.method() + " " + route.path(),
          address, outcome, Map.of()));
    }
  }
}
