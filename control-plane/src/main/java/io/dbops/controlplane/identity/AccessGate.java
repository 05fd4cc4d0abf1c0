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

/**
 * Enforces the rule of API token routes: 401 without a usable API token (slowed down to 429 after
 * repeated failures from one address, {@link FailureThrottle}), 403 when the token's roles or verb
 * limit do not grant the route's verb. A refusal on a mutating route is audited. Messages name
 * the credential or role needed and the token's name, never a presented value.
 */
public final class AccessGate implements Gate {
  static final String NEEDED = "This route needs an API token (Authorization: Bearer ...); set"
      + " DBOPS_API_TOKEN or run dbops login";

  private final ApiTokens tokens;
  private final FailureThrottle throttle;
  private final Audit audit;

  public AccessGate(ApiTokens tokens, FailureThrottle throttle, Audit audit) {
    this.tokens = tokens;
    this.throttle = throttle;
    this.audit = audit;
  }

  @Override
  public Caller admit(Context ctx, RouteRule route) {
    if (route.access().kind() != Access.Kind.API_TOKEN) {
      return null;
    }
    String address = ctx.ip();
    ApiTokens.Check check = tokens.check(Requests.bearer(ctx.header("Authorization")));
    if (check instanceof ApiTokens.Check.Refused refused) {
      Optional<Duration> wait = throttle.failed(address);
      if (wait.isPresent()) {
        long seconds = Math.max(1, (wait.get().toMillis() + 999) / 1000);
        refuse(route, "anonymous", address, "throttled: 429");
        ctx.header("Retry-After", Long.toString(seconds));
        throw new Refusal(Refusal.Kind.TOO_MANY, "too_many_failures", "Too many failed authentications from "
            + address + "; retry after " + seconds + " s. " + NEEDED, List.of());
      }
      refuse(route, "anonymous", address, "refused: 401 unauthorized");
      throw Refusal.unauthenticated(NEEDED + " (" + refused.reason() + ")");
    }
    ApiToken token = ((ApiTokens.Check.Valid) check).token();
    Verb verb = route.access().verb();
    if (verb != null && !token.allows(verb)) {
      refuse(route, token.label(), address, "refused: 403 forbidden");
      throw Refusal.forbidden(forbidden(token, verb, route));
    }
    return new Caller(token, address);
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
