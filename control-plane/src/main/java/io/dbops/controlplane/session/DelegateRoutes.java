package io.dbops.controlplane.session;

import io.dbops.controlplane.http.Access;
import io.dbops.controlplane.http.Edge;
import io.dbops.controlplane.http.Routes;
import io.dbops.controlplane.identity.Verb;

/**
 * The delegate hub's HTTP edge: the WebSocket and long-poll transports (delegate token, checked
 * by their handlers) and {@code GET /api/v1/delegates} (verb read: viewer).
 */
public final class DelegateRoutes implements Routes {
  private final DelegateHub hub;

  public DelegateRoutes(DelegateHub hub) {
    this.hub = hub;
  }

  @Override
  public void addTo(Edge edge) {
    new WebSocketRoutes(hub, hub.clock()).addTo(edge);
    edge.get("/api/v1/delegates", Access.verb(Verb.READ), ctx -> ctx.json(hub.delegates()));
    new LongPollRoutes(hub, hub.codec(), hub.pollWaits()).addTo(edge);
  }
}
