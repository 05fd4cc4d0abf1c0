package io.dbops.controlplane.http;

import io.dbops.api.ApiError;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The open probes: {@code GET /healthz} (the process answers) and {@code GET /readyz} (503 while
 * {@code ready} says no, for example when the database does not answer). They say nothing else.
 */
public final class HealthRoutes implements Routes {
  private final BooleanSupplier ready;

  public HealthRoutes(BooleanSupplier ready) {
    this.ready = ready;
  }

  @Override
  public void addTo(Edge edge) {
    edge.get("/healthz", Access.open(), ctx -> ctx.json(Map.of("status", "ok")));
    edge.get("/readyz", Access.open(), ctx -> {
      boolean ok;
      try {
        ok = ready.getAsBoolean();
      } catch (RuntimeException e) {
        ok = false;
      }
      if (ok) {
        ctx.json(Map.of("status", "ready"));
      } else {
        ctx.status(503).json(new ApiError("not_ready",
            "The control plane cannot reach its database; see the server log", List.of()));
      }
    });
  }
}
