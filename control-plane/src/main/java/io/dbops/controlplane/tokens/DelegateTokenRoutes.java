package io.dbops.controlplane.tokens;

import io.dbops.api.TokenCreated;
import io.dbops.controlplane.http.Access;
import io.dbops.controlplane.http.Edge;
import io.dbops.controlplane.http.Requests;
import io.dbops.controlplane.http.Routes;
import io.dbops.controlplane.identity.Verb;

/**
 * Delegate tokens over HTTP, all verb {@code access} (admin): {@code POST /api/v1/tokens},
 * {@code GET /api/v1/tokens}, {@code DELETE /api/v1/tokens/{id}}. Creating and revoking are
 * audited by name and id, never the value.
 */
public final class DelegateTokenRoutes implements Routes {
  private final TokenService tokens;

  /** Request body of {@code POST /api/v1/tokens}. */
  record CreateTokenRequest(String name) {}

  public DelegateTokenRoutes(TokenService tokens) {
    this.tokens = tokens;
  }

  @Override
  public void addTo(Edge edge) {
    edge.post("/api/v1/tokens", Access.verb(Verb.ACCESS), ctx -> {
      CreateTokenRequest request = Requests.body(ctx, CreateTokenRequest.class);
      Edge.audit(ctx, "delegate.token.create", request.name() == null ? "" : request.name());
      TokenCreated created = tokens.create(request.name());
      Edge.audit(ctx, "delegate.token.create", created.name() + " (" + created.id() + ")");
      ctx.status(201).json(created);
    });
    edge.get("/api/v1/tokens", Access.verb(Verb.ACCESS), ctx -> ctx.json(tokens.list()));
    edge.delete("/api/v1/tokens/{id}", Access.verb(Verb.ACCESS), ctx -> {
      String id = ctx.pathParam("id");
      Edge.audit(ctx, "delegate.token.revoke", id);
      TokenService.TokenInfo revoked = tokens.revoke(id);
      Edge.audit(ctx, "delegate.token.revoke", revoked.name() + " (" + revoked.id() + ")");
      ctx.json(revoked);
    });
  }
}
