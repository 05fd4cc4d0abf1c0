package io.dbops.controlplane.metrics;

import io.dbops.controlplane.http.Access;
import io.dbops.controlplane.http.Edge;
import io.dbops.controlplane.http.Routes;
import io.dbops.controlplane.identity.Verb;

/**
 * {@code GET /metrics} on the main port: verb read (viewer) unless {@code DBOPS_METRICS_OPEN=true}
 * opens it. Prometheus can scrape without a token on {@code DBOPS_METRICS_PORT} instead.
 */
public final class MetricsRoutes implements Routes {
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final Metrics metrics;
  private final boolean open;

  public MetricsRoutes(Metrics metrics, boolean open) {
    this.metrics = metrics;
    this.open = open;
  }

  @Override
  public void addTo(Edge edge) {
    edge.get("/metrics", open ? Access.open() : Access.verb(Verb.READ),
        ctx -> ctx.contentType(CONTENT_TYPE).result(metrics.scrape()));
  }
}
