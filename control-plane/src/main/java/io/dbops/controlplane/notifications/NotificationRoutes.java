package io.dbops.controlplane.notifications;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.controlplane.Refusal;
import io.dbops.controlplane.http.Access;
import io.dbops.controlplane.http.Edge;
import io.dbops.controlplane.http.Requests;
import io.dbops.controlplane.http.Routes;
import io.dbops.controlplane.identity.Verb;
import io.dbops.support.Json;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The notifications API (docs/api.md "Notifications"): endpoints are created and deleted with
 * verb {@code configure} (admin), listed with verb {@code read}; the delivery log with {@code read}.
 * Secrets appear once, in the create answer of a generated one, and never again.
 */
public final class NotificationRoutes implements Routes {
  private final NotificationService service;

  public NotificationRoutes(NotificationService service) {
    this.service = service;
  }

  @Override
  public void addTo(Edge edge) {
    edge.get("/api/v1/notifications", Access.verb(Verb.READ), ctx -> ctx.json(service.list()));
    edge.get("/api/v1/notifications/{name}", Access.verb(Verb.READ),
        ctx -> ctx.json(service.get(ctx.pathParam("name"))));
    edge.get("/api/v1/notifications/{name}/deliveries", Access.verb(Verb.READ), ctx -> ctx.json(
        service.deliveries(ctx.pathParam("name"),
            (int) Requests.longParam(ctx, "limit", 50, 1, 1000))));
    edge.post("/api/v1/notifications", Access.verb(Verb.CONFIGURE), this::create);
    edge.delete("/api/v1/notifications/{name}", Access.verb(Verb.CONFIGURE), ctx -> {
      String name = ctx.pathParam("name");
      Edge.audit(ctx, "notification.delete", name);
      service.delete(name);
      ctx.json(Map.of("name", name, "deleted", true));
    });
  }

  private void create(Context ctx) {
    JsonNode body;
    try {
      body = Json.mapper().readTree(ctx.body());
    } catch (IOException e) {
      throw Refusal.invalid("The request body is not valid JSON", List.of(
          "the body must be a JSON object"));
    }
    Edge.audit(ctx, "notification.create", body != null ? body.path("name").asText("") : "");
    NotificationService.Created created = service.create(body, Edge.caller(ctx).token().label());
    Map<String, Object> answer = new LinkedHashMap<>(
        Json.mapper().convertValue(created.endpoint(), Map.class));
    if (created.generatedSecret() != null) {
      answer.put("secret", created.generatedSecret());
      answer.put("secretNote", "shown once: verify X-Dbops-Signature with it; it cannot be read"
          + " again (delete and create the endpoint to replace it)");
    }
    ctx.status(201).json(answer);
  }
}
