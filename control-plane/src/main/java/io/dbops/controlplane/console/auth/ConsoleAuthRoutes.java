package io.dbops.controlplane.console.auth;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.controlplane.Refusal;
import io.dbops.controlplane.audit.Audit;
import io.dbops.controlplane.audit.AuditEvent;
import io.dbops.controlplane.http.Access;
import io.dbops.controlplane.http.Edge;
import io.dbops.controlplane.http.Routes;
import io.dbops.controlplane.identity.ApiToken;
import io.dbops.controlplane.identity.ApiTokens;
import io.dbops.controlplane.identity.Caller;
import io.dbops.controlplane.identity.ConsoleSessions;
import io.dbops.controlplane.identity.FailureThrottle;
import io.dbops.controlplane.identity.Verb;
import io.dbops.support.Json;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The console's session routes (docs/console-auth.md, docs/api.md "Console sessions"):
 * {@code POST /console/session} (open: an API token buys a session), {@code GET /console/config}
 * (open: which sign-ins exist), {@code POST /console/logout} (a session and its CSRF token) and
 * {@code GET /api/v1/session} (any API credential: who am I, and my CSRF token). Sign-in and
 * sign-out are audited with the identity's name; the session id never leaves the cookie.
 */
public final class ConsoleAuthRoutes implements Routes {
  static final String TOKEN_NEEDED = "Sign in with an API token: POST /console/session with"
      + " {\"token\":\"dbops_pat_...\"} (an admin creates one with dbops token create)";

  private final ApiTokens tokens;
  private final ConsoleSessions sessions;
  private final FailureThrottle throttle;
  private final Audit audit;
  private final SessionCookie cookie;
  private final boolean oidc;
  private final Supplier<String> publicUrl;

  /** What {@code POST /console/session} answers. */
  public record SignedIn(String name, List<String> roles, String csrfToken) {}

  /** What {@code GET /api/v1/session} answers; {@code csrfToken} only for a console session. */
  public record SessionView(String name, List<String> roles, List<String> verbs,
      List<String> environments, String via, String csrfToken, Instant expiresAt) {}

  /**
   * @param throttle the same instance the API gate uses: failures here count there and back
   * @param secureCookies mark the cookie Secure (TLS or {@code DBOPS_CONSOLE_SECURE_COOKIES})
   * @param oidc whether OIDC sign-in is configured (for {@code GET /console/config})
   * @param publicUrl the control plane's public URL: an {@code Origin} it names may sign in
   */
  public ConsoleAuthRoutes(ApiTokens tokens, ConsoleSessions sessions, FailureThrottle throttle,
      Audit audit, boolean secureCookies, boolean oidc, Supplier<String> publicUrl) {
    this.tokens = tokens;
    this.sessions = sessions;
    this.throttle = throttle;
    this.audit = audit;
    this.cookie = new SessionCookie(secureCookies);
    this.oidc = oidc;
    this.publicUrl = publicUrl;
  }

  @Override
  public void addTo(Edge edge) {
    edge.post("/console/session", Access.open(), this::signIn);
    edge.get("/console/config", Access.open(), ctx -> ctx.json(Map.of("oidc", oidc)));
    edge.post("/console/logout", Access.anyApiToken(), this::signOut);
    edge.get("/api/v1/session", Access.anyApiToken(), this::session);
  }

  private void signIn(Context ctx) {
    String address = ctx.ip();
    refuseForeignOrigin(ctx);
    String value = presentedToken(ctx);
    ApiTokens.Check check = tokens.check(value);
    if (check instanceof ApiTokens.Check.Refused refused) {
      Optional<Duration> wait = throttle.failed(address);
      if (wait.isPresent()) {
        long seconds = Math.max(1, (wait.get().toMillis() + 999) / 1000);
        audit.record(new AuditEvent("anonymous", "console.signin", "token", address,
            "throttled: 429", Map.of("via", "session-token")));
        ctx.header("Retry-After", Long.toString(seconds));
        throw new Refusal(Refusal.Kind.TOO_MANY, "too_many_failures", "Too many failed"
            + " authentications from " + address + "; retry after " + seconds + " s", List.of());
      }
      audit.record(new AuditEvent("anonymous", "console.signin", "token", address,
          "refused: 401 unauthorized", Map.of("via", "session-token")));
      throw Refusal.unauthenticated("The API token was refused (" + refused.reason() + "). "
          + TOKEN_NEEDED);
    }
    ApiToken token = ((ApiTokens.Check.Valid) check).token();
    ConsoleSessions.Opened opened = sessions.open(token);
    audit.record(new AuditEvent(token.label(), "console.signin", token.label(), address, "ok",
        Map.of("via", "session-token", "expiresAt", opened.session().expiresAt().toString())));
    cookie.set(ctx, opened.id());
    ctx.header("Cache-Control", "no-store");
    ctx.json(new SignedIn(token.name(), token.roleIds(), opened.csrfToken()));
  }

  /**
   * Refuses a sign-in posted from another site (a "login CSRF" would sign the victim's browser
   * into the attacker's identity): when the browser names an {@code Origin}, its host and port
   * must be this server's ({@code Host}) or the public URL's.
   */
  private void refuseForeignOrigin(Context ctx) {
    String origin = ctx.header("Origin");
    if (origin == null) {
      return; // not a browser, or a browser that sends no Origin on a same-origin request
    }
    String host = ctx.header("Host");
    String from = hostPort(origin);
    if (from != null && (from.equalsIgnoreCase(host == null ? "" : host)
        || from.equalsIgnoreCase(hostPort(publicUrl.get())))) {
      return;
    }
    audit.record(new AuditEvent("anonymous", "console.signin", "token", ctx.ip(),
        "refused: 403 csrf", Map.of("via", "session-token", "origin", clip(origin))));
    throw new Refusal(Refusal.Kind.FORBIDDEN, "csrf", "Sign-in refused: the request came from"
        + " another site (Origin " + clip(origin) + "); sign in on the console's own page. Behind a"
        + " proxy that changes the Host header, set DBOPS_PUBLIC_URL to the address browsers use",
        List.of());
  }

  private static String hostPort(String url) {
    try {
      java.net.URI uri = java.net.URI.create(url.trim());
      if (uri.getHost() == null) {
        return null;
      }
      return uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static String clip(String s) {
    String t = s.length() > 100 ? s.substring(0, 100) + "..." : s;
    return t.replaceAll("\\p{Cntrl}", " ");
  }

  private static String presentedToken(Context ctx) {
    String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT);
    if (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/")) {
      String token = ctx.formParam("token");
      if (token == null || token.isBlank()) {
        throw Refusal.invalid("The form has no 'token' field. " + TOKEN_NEEDED, List.of(
            "token is required"));
      }
      return token.trim();
    }
    JsonNode body;
    try {
      // Not Requests.body: a parser message may quote the malformed body, the token with it.
      body = Json.mapper().readTree(ctx.body());
    } catch (java.io.IOException e) {
      body = null;
    }
    if (body == null || !body.isObject()) {
      throw Refusal.invalid("The body is not a JSON object. " + TOKEN_NEEDED, List.of(
          "the body must be a JSON object with a text field 'token'"));
    }
    JsonNode token = body.path("token");
    if (!token.isTextual() || token.asText().isBlank()) {
      throw Refusal.invalid("The body has no text field 'token'. " + TOKEN_NEEDED, List.of(
          "token is required"));
    }
    return token.asText().trim();
  }

  private void signOut(Context ctx) {
    Caller caller = Edge.caller(ctx);
    if (caller.session() == null) {
      throw Refusal.invalid("POST /console/logout ends a console session (the dbops_session"
          + " cookie); this request carries an API token instead, which stays valid (an admin"
          + " revokes tokens with DELETE /api/v1/access/tokens/{id})", List.of());
    }
    Edge.audit(ctx, "console.signout", caller.token().label(), Map.of("via", caller.via()));
    sessions.close(ctx.cookie(ConsoleSessions.COOKIE));
    cookie.clear(ctx);
    ctx.status(204);
  }

  private void session(Context ctx) {
    Caller caller = Edge.caller(ctx);
    ApiToken t = caller.token();
    List<String> verbs = Arrays.stream(Verb.values()).filter(t::allows).map(Verb::id).toList();
    boolean isSession = caller.session() != null;
    ctx.header("Cache-Control", "no-store");
    ctx.json(new SessionView(t.name(), t.roleIds(), verbs, t.environments(), caller.via(),
        isSession ? ConsoleSessions.csrf(ctx.cookie(ConsoleSessions.COOKIE)) : null,
        isSession ? caller.session().expiresAt() : t.expiresAt()));
  }
}
