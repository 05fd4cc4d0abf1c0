package io.dbops.controlplane.console.auth;

import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.Nonce;
import io.dbops.controlplane.Refusal;
import io.dbops.controlplane.audit.Audit;
import io.dbops.controlplane.audit.AuditEvent;
import io.dbops.controlplane.config.OidcSettings;
import io.dbops.controlplane.http.Access;
import io.dbops.controlplane.http.Edge;
import io.dbops.controlplane.http.Refusals;
import io.dbops.controlplane.http.Routes;
import io.dbops.controlplane.identity.ConsoleSession;
import io.dbops.controlplane.identity.ConsoleSessions;
import io.javalin.http.Context;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * OIDC sign-in (docs/console-auth.md): {@code GET /console/oidc/login} starts an authorization
 * code flow with PKCE S256, a state and a nonce, kept in this browser's short-lived
 * {@code dbops_oidc} cookie (HttpOnly, SameSite=Lax so it comes back with the provider's
 * redirect, path {@code /console/oidc}, 10 minutes); {@code GET /console/oidc/callback} checks the
 * state against it, refuses a state or code seen before (on every replica: the store keeps their
 * hashes), redeems the code, validates the ID token, maps its groups to roles with
 * {@code DBOPS_OIDC_ROLE_MAP}, opens a session and redirects to {@code /}. Both routes are open
 * (they are how one gets a credential) and answer 404 when OIDC is not configured. Refusals are
 * a small HTML page naming the reason and the setting, and are audited.
 */
public final class OidcRoutes implements Routes {
  static final String LOGIN_COOKIE = "dbops_oidc";
  private static final int LOGIN_SECONDS = 600;

  private final OidcSettings settings;
  private final OidcClient client;
  private final ConsoleSessions sessions;
  private final Audit audit;
  private final SessionCookie cookie;
  private final Supplier<String> publicUrl;

  /**
   * @param settings null when OIDC is not configured
   * @param publicUrl the control plane's public URL, for the default redirect URL
   */
  public OidcRoutes(OidcSettings settings, ConsoleSessions sessions, Audit audit,
      boolean secureCookies, Supplier<String> publicUrl) {
    this.settings = settings;
    this.client = settings == null ? null : new OidcClient(settings);
    this.sessions = sessions;
    this.audit = audit;
    this.cookie = new SessionCookie(secureCookies);
    this.publicUrl = publicUrl;
  }

  @Override
  public void addTo(Edge edge) {
    edge.get("/console/oidc/login", Access.open(), this::login);
    edge.get("/console/oidc/callback", Access.open(), this::callback);
  }

  private URI redirect() {
    return settings.redirectUrl() != null ? settings.redirectUrl()
        : URI.create(publicUrl.get() + "/console/oidc/callback");
  }

  private void requireConfigured() {
    if (settings == null) {
      throw Refusal.notFound("OIDC sign-in is not configured: set DBOPS_OIDC_ISSUER,"
          + " DBOPS_OIDC_CLIENT_ID and DBOPS_OIDC_ROLE_MAP (docs/console-auth.md); sign in with an"
          + " API token meanwhile");
    }
  }

  private void login(Context ctx) {
    requireConfigured();
    String state = new State().getValue();
    String nonce = new Nonce().getValue();
    String verifier = new CodeVerifier().getValue();
    URI to;
    try {
      to = client.authorizationUri(state, nonce, verifier, redirect());
    } catch (Refusal e) {
      page(ctx, e);
      return;
    }
    ctx.res().addHeader("Set-Cookie", LOGIN_COOKIE + "=" + state + "." + verifier + "." + nonce
        + "; Path=/console/oidc; Max-Age=" + LOGIN_SECONDS + "; HttpOnly; SameSite=Lax"
        + (cookie.secure() ? "; Secure" : ""));
    ctx.header("Cache-Control", "no-store");
    ctx.redirect(to.toString(), io.javalin.http.HttpStatus.FOUND);
  }

  private void callback(Context ctx) {
    requireConfigured();
    // The login cookie has done its job whatever happens now.
    ctx.res().addHeader("Set-Cookie", LOGIN_COOKIE + "=; Path=/console/oidc; Max-Age=0; HttpOnly;"
        + " SameSite=Lax" + (cookie.secure() ? "; Secure" : ""));
    ctx.header("Cache-Control", "no-store");
    StringBuilder actor = new StringBuilder("anonymous");
    try {
      signIn(ctx, actor);
    } catch (Refusal e) {
      audit.record(new AuditEvent(actor.toString(), "console.signin",
          "oidc", ctx.ip(), "refused: " + Refusals.status(e.kind()) + " " + e.code(),
          Map.of("via", "oidc", "reason", e.getMessage())));
      page(ctx, e);
    }
  }

  /** @param actor set to the identity's name once the provider vouched for it */
  private void signIn(Context ctx, StringBuilder actor) {
    String error = ctx.queryParam("error");
    if (error != null) {
      String description = ctx.queryParam("error_description");
      throw new Refusal(Refusal.Kind.UNAUTHENTICATED, "oidc_refused", "The identity provider"
          + " ended the sign-in with '" + clip(error) + "'" + (description == null ? ""
              : ": " + clip(description)), List.of());
    }
    String state = ctx.queryParam("state");
    String code = ctx.queryParam("code");
    if (state == null || code == null) {
      throw Refusal.invalid("The callback needs 'state' and 'code' from the identity provider;"
          + " start again at /console/oidc/login", List.of());
    }
    String[] login = Optional.ofNullable(ctx.cookie(LOGIN_COOKIE)).map(v -> v.split("\\."))
        .orElse(new String[0]);
    if (login.length != 3) {
      throw Refusal.invalid("No sign-in was started in this browser (the dbops_oidc cookie is"
          + " missing or older than " + LOGIN_SECONDS / 60 + " minutes); start again at"
          + " /console/oidc/login", List.of());
    }
    if (!MessageDigest.isEqual(login[0].getBytes(StandardCharsets.UTF_8),
        state.getBytes(StandardCharsets.UTF_8))) {
      throw new Refusal(Refusal.Kind.INVALID, "oidc_state", "The callback's state does not match"
          + " the sign-in this browser started (a forged or crossed callback); start again at"
          + " /console/oidc/login", List.of());
    }
    if (!sessions.redeemOnce("state", state) || !sessions.redeemOnce("code", code)) {
      throw new Refusal(Refusal.Kind.INVALID, "oidc_replay", "This sign-in was completed"
          + " already (its state or authorization code was used before: a replayed callback);"
          + " start again at /console/oidc/login", List.of());
    }
    OidcClient.Identity who = client.redeem(code, login[1], login[2], redirect());
    actor.setLength(0);
    actor.append(who.name()).append(" (").append(ConsoleSession.oidcId(who.subject())).append(")");
    Optional<OidcSettings.Mapped> mapped = settings.map(who.groups());
    if (mapped.isEmpty()) {
      throw new Refusal(Refusal.Kind.FORBIDDEN, "oidc_no_role", "'" + who.name() + "' signed in at the identity provider with"
          + " groups " + who.groups() + " (claim '" + settings.groupsClaim() + "'), but"
          + " DBOPS_OIDC_ROLE_MAP gives none of them a dbops role, so the sign-in is refused. An"
          + " operator adds a GROUP=ROLE entry to DBOPS_OIDC_ROLE_MAP (for example "
          + (who.groups().isEmpty() ? "dbops-viewers" : who.groups().get(0)) + "=viewer)",
          List.of());
    }
    ConsoleSessions.Opened opened = sessions.openOidc(who.subject(), who.name(),
        mapped.get().roles(), mapped.get().environments(), who.groups());
    audit.record(new AuditEvent(actor.toString(),
        "console.signin", who.name(), ctx.ip(), "ok", Map.of("via", "oidc", "roles",
            String.join(",", opened.session().roleIds()), "environments",
            String.join(",", opened.session().environments()), "groups",
            String.join(",", who.groups()))));
    cookie.set(ctx, opened.id());
    ctx.redirect("/", io.javalin.http.HttpStatus.FOUND);
  }

  private static String clip(String s) {
    String t = s.length() > 200 ? s.substring(0, 200) + "..." : s;
    return t.replaceAll("[\\p{Cntrl}]", " ");
  }

  /** A refusal as a small page a browser shows (the console's sign-in page links back). */
  private static void page(Context ctx, Refusal e) {
    String html = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<title>dbops: sign-in refused</title></head><body><main><h1>Sign-in refused</h1>"
        + "<p id=\"reason\" data-code=\"" + escape(e.code()) + "\">" + escape(e.getMessage())
        + "</p><p><a href=\"/\">Back to sign-in</a></p></main></body></html>";
    ctx.status(Refusals.status(e.kind())).contentType("text/html; charset=utf-8").result(html);
  }

  static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }
}
