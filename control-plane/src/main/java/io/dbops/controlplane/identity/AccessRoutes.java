package io.dbops.controlplane.identity;

import io.dbops.controlplane.http.Access;
import io.dbops.controlplane.http.Edge;
import io.dbops.controlplane.http.Requests;
import io.dbops.controlplane.http.RouteRule;
import io.dbops.controlplane.http.Routes;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Contract H's identity routes: {@code GET /api/v1/whoami} (any API token), {@code POST/GET
 * /api/v1/access/tokens} and {@code DELETE /api/v1/access/tokens/{id}} (verb access: admin), and
 * {@code GET /api/v1/access/routes} (every route and its rule; admin).
 */
public final class AccessRoutes implements Routes {
  private final ApiTokens tokens;
  private final Supplier<List<RouteRule>> routes;

  /** A token as the API shows it: never its value. */
  public record TokenView(String id, String name, String kind, List<String> roles,
      List<String> environments, List<String> verbs, Instant expiresAt, Instant createdAt,
      Instant lastUsedAt, Instant revokedAt) {
    static TokenView of(ApiToken t) {
      return new TokenView(t.id(), t.name(), t.kind().id(), t.roleIds(), t.environments(),
          t.verbIds(), t.expiresAt(), t.createdAt(), t.lastUsedAt(), t.revokedAt());
    }
  }

  /** The answer of {@code POST /api/v1/access/tokens}: the only time the value is shown. */
  public record CreatedView(String id, String name, String kind, List<String> roles,
      List<String> environments, List<String> verbs, Instant expiresAt, Instant createdAt,
      String token) {}

  /** The answer of {@code GET /api/v1/whoami}. */
  public record WhoAmI(String id, String name, String kind, List<String> roles,
      List<String> environments, List<String> verbs, Instant expiresAt) {}

  /** One line of {@code GET /api/v1/access/routes}. */
  public record RouteView(String method, String path, String access) {}

  /** @param routes the edge's route table, read at request time */
  public AccessRoutes(ApiTokens tokens, Supplier<List<RouteRule>> routes) {
    this.tokens = tokens;
    this.routes = routes;
  }

  @Override
  public void addTo(Edge edge) {
    edge.get("/api/v1/whoami", Access.anyApiToken(), ctx -> {
      ApiToken t = Edge.caller(ctx).token();
      ctx.json(new WhoAmI(t.id(), t.name(), t.kind().id(), t.roleIds(), t.environments(),
          t.verbIds(), t.expiresAt()));
    });
    edge.post("/api/v1/access/tokens", Access.verb(Verb.ACCESS), ctx -> {
      ApiTokens.Request request = Requests.body(ctx, ApiTokens.Request.class);
      Edge.audit(ctx, "access.token.create", request.name() == null ? "" : request.name());
      ApiTokens.Created created = tokens.create(request);
      ApiToken t = created.token();
      Edge.audit(ctx, "access.token.create", t.label(), Map.of("roles",
          String.join(",", t.roleIds()), "environments", String.join(",", t.environments()),
          "verbs", String.join(",", t.verbIds()), "kind", t.kind().id()));
      ctx.status(201).json(new CreatedView(t.id(), t.name(), t.kind().id(), t.roleIds(),
          t.environments(), t.verbIds(), t.expiresAt(), t.createdAt(), created.value()));
    });
    edge.get("/api/v1/access/tokens", Access.verb(Verb.ACCESS),
        ctx -> ctx.json(tokens.list().stream().map(TokenView::of).toList()));
    edge.delete("/api/v1/access/tokens/{id}", Access.verb(Verb.ACCESS), ctx -> {
      String id = ctx.pathParam("id");
      Edge.audit(ctx, "access.token.revoke", id);
      ApiToken revoked = tokens.revoke(id);
      Edge.audit(ctx, "access.token.revoke", revoked.label());
      ctx.json(TokenView.of(revoked));
    });
    edge.get("/api/v1/access/routes", Access.verb(Verb.ACCESS), ctx -> ctx.json(routes.get()
        .stream().map(r -> new RouteView(r.method(), r.path(), r.access().describe())).toList()));
  }
}
