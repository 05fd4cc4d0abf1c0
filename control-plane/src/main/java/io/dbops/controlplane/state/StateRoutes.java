package io.dbops.controlplane.state;

import io.dbops.controlplane.http.Access;
import io.dbops.controlplane.http.Edge;
import io.dbops.controlplane.http.Routes;
import io.dbops.controlplane.identity.Caller;
import io.dbops.controlplane.identity.Verb;
import io.javalin.http.Context;
import java.util.List;
import java.util.Map;

/**
 * The migration state API (docs/api.md "Migration state"): reads need verb {@code read}; refreshes
 * verb {@code run} (and, for a token limited to environments, the environment refreshed); every
 * refresh is audited.
 */
public final class StateRoutes implements Routes {
  private final StateService state;
  private final StateRefresher refresher;
  private final Fleet fleet;

  StateRoutes(StateService state, StateRefresher refresher, Fleet fleet) {
    this.state = state;
    this.refresher = refresher;
    this.fleet = fleet;
  }

  @Override
  public void addTo(Edge edge) {
    edge.get("/api/v1/targets/{name}/state", Access.verb(Verb.READ),
        ctx -> ctx.json(state.target(ctx.pathParam("name"))));
    edge.get("/api/v1/environments/{name}/state", Access.verb(Verb.READ),
        ctx -> ctx.json(state.environment(ctx.pathParam("name"))));
    edge.get("/api/v1/diff", Access.verb(Verb.READ),
        ctx -> ctx.json(state.diff(ctx.queryParam("from"), ctx.queryParam("to"))));
    edge.post("/api/v1/targets/{name}/refresh", Access.verb(Verb.RUN), this::refreshTarget);
    edge.post("/api/v1/environments/{name}/refresh", Access.verb(Verb.RUN), this::refreshEnvironment);
  }

  private void refreshTarget(Context ctx) {
    String name = ctx.pathParam("name");
    Edge.audit(ctx, "state.refresh", "target " + name);
    Caller caller = Edge.caller(ctx);
    String environment = fleet.targetEnvironment(name).orElseThrow(() -> StateService.unknownTarget(name));
    caller.requireEnvironments(List.of(environment), "target '" + name + "'");
    String id = refresher.refreshTarget(name, caller.token().name(), caller.token().label());
    Edge.audit(ctx, "state.refresh", "target " + name, Map.of("executionId", id));
    ctx.status(202).json(Map.of("executionId", id));
  }

  private void refreshEnvironment(Context ctx) {
    String name = ctx.pathParam("name");
    Edge.audit(ctx, "state.refresh", "environment " + name);
    Caller caller = Edge.caller(ctx);
    caller.requireEnvironments(List.of(name), "environment '" + name + "'");
    List<String> ids = refresher.refreshEnvironment(name, caller.token().name(), caller.token().label());
    Edge.audit(ctx, "state.refresh", "environment " + name, Map.of("executionIds", String.join(",", ids)));
    // executionId: the first; executionIds: all (one per DBOPS_MAX_STAGES targets)
    ctx.status(202).json(Map.of("executionId", ids.get(0), "executionIds", ids));
  }
}
