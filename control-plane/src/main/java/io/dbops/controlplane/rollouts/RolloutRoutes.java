package io.dbops.controlplane.rollouts;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.controlplane.Refusal;
import io.dbops.controlplane.executions.ExecutionOrigin;
import io.dbops.controlplane.executions.ExecutionRoutes;
import io.dbops.controlplane.executions.ExecutionService;
import io.dbops.controlplane.http.Access;
import io.dbops.controlplane.http.Edge;
import io.dbops.controlplane.http.Routes;
import io.dbops.controlplane.identity.Caller;
import io.dbops.controlplane.identity.Verb;
import io.dbops.support.Json;
import java.util.List;
import java.util.Map;

/**
 * The rollouts API (docs/api.md "Rollouts"): {@code POST /api/v1/executions/{id}/retry} (verb run:
 * deployer), which re-runs the failed targets of a finished rollout; audited. The rollout's state
 * itself is part of {@code GET /api/v1/executions/{id}}.
 */
public final class RolloutRoutes implements Routes {
  private final ExecutionService executions;
  private final RolloutRetries retries;

  public RolloutRoutes(ExecutionService executions, RolloutController controller) {
    this.executions = executions;
    this.retries = new RolloutRetries(controller.store(), executions);
  }

  @Override
  public void addTo(Edge edge) {
    edge.post("/api/v1/executions/{id}/retry", Access.verb(Verb.RUN), ctx -> {
      String id = ctx.pathParam("id");
      boolean failedOnly = failedOnly(ctx.body());
      Edge.audit(ctx, "execution.retry", id, Map.of("failedOnly", Boolean.toString(failedOnly)));
      var previous = executions.view(id); // 404 before the environment rule
      var pipeline = retries.pipeline(id, failedOnly);
      Edge.caller(ctx).requireEnvironments(ExecutionRoutes.environments(pipeline), "execution " + id);
      Caller caller = Edge.caller(ctx);
      String client = ctx.header(ExecutionRoutes.CLIENT_HEADER);
      ExecutionOrigin origin = RolloutRetries.origin(new ExecutionOrigin(caller.token().name(),
          caller.token().label(), client != null && "cli".equalsIgnoreCase(client.trim()) ? "cli" : "api",
          null, null, Map.of()), previous);
      String newId = executions.submit(pipeline, origin);
      Edge.audit(ctx, "execution.retry", newId, Map.of("retryOf", id, "failedOnly", Boolean.toString(failedOnly)));
      ctx.status(201).json(Map.of("id", newId, "retryOf", id));
    });
  }

  /** {@code {"failedOnly": true|false}}; an empty body means true. */
  static boolean failedOnly(String body) {
    if (body == null || body.isBlank()) {
      return true;
    }
    JsonNode node;
    try {
      node = Json.mapper().readTree(body);
    } catch (java.io.IOException e) {
      throw Refusal.invalid("The retry body must be JSON like {\"failedOnly\": true}", List.of("body is not JSON"));
    }
    JsonNode value = node == null ? null : node.get("failedOnly");
    if (node == null || !node.isObject() || (value != null && !value.isBoolean())
        || node.size() > (value == null ? 0 : 1)) {
      throw Refusal.invalid("The retry body must be {\"failedOnly\": true} (failed and rolled-back targets)"
          + " or {\"failedOnly\": false} (also the skipped ones)", List.of("failedOnly must be true or false"));
    }
    return value == null || value.asBoolean();
  }
}
