package io.dbops.controlplane.webhooks;

import io.dbops.controlplane.Refusal;
import io.dbops.controlplane.http.Access;
import io.dbops.controlplane.http.Edge;
import io.dbops.controlplane.http.Requests;
import io.dbops.controlplane.http.Routes;
import io.dbops.controlplane.identity.Verb;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The webhooks API (docs/api.md "Webhooks"): definitions need verb {@code configure} to change
 * and {@code read} to list; {@code POST /hooks/{name}} is authenticated only by the webhook's
 * signature ({@link Access#webhookSignature()}), checked by {@link WebhookService#receive} before
 * the body is read as JSON. Its body is read up to {@code maxBodyBytes} (413 beyond).
 */
public final class WebhookRoutes implements Routes {
  private final WebhookService service;
  private final Supplier<String> publicUrl;
  private final int maxBodyBytes;

  /** @param publicUrl the control plane's public base URL, for the webhook URL in answers */
  public WebhookRoutes(WebhookService service, Supplier<String> publicUrl, int maxBodyBytes) {
    this.service = service;
    this.publicUrl = publicUrl;
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  public void addTo(Edge edge) {
    edge.get("/api/v1/webhooks", Access.verb(Verb.READ), ctx -> ctx.json(
        service.list().stream().map(this::view).toList()));
    edge.get("/api/v1/webhooks/{name}", Access.verb(Verb.READ), ctx -> ctx.json(
        view(service.get(ctx.pathParam("name")))));
    edge.get("/api/v1/webhooks/{name}/deliveries", Access.verb(Verb.READ), ctx -> ctx.json(
        service.deliveries(ctx.pathParam("name"),
            (int) Requests.longParam(ctx, "limit", 50, 1, 1000))));
    edge.post("/api/v1/webhooks", Access.verb(Verb.CONFIGURE), this::create);
    edge.delete("/api/v1/webhooks/{name}", Access.verb(Verb.CONFIGURE), ctx -> {
      String name = ctx.pathParam("name");
      Edge.audit(ctx, "webhook.delete", name);
      service.delete(name);
      ctx.json(Map.of("name", name, "deleted", true));
    });
    edge.post("/hooks/{name}", Access.webhookSignature(), this::receive);
  }

  private void create(Context ctx) {
    com.fasterxml.jackson.databind.JsonNode body;
    try {
      body = io.dbops.support.Json.mapper().readTree(ctx.body());
    } catch (IOException e) {
      throw Refusal.invalid("The request body is not valid JSON", List.of(
          "the body must be a JSON object"));
    }
    Edge.audit(ctx, "webhook.create", body != null ? body.path("name").asText("") : "");
    WebhookService.Created created = service.create(body, Edge.caller(ctx).token().label());
    Map<String, Object> answer = view(created.webhook());
    if (created.generatedSecret() != null) {
      answer.put("secret", created.generatedSecret());
      answer.put("secretNote", "shown once: configure it in the git server now; it cannot be read"
          + " again (delete and create the webhook to replace it)");
    }
    ctx.status(201).json(answer);
  }

  private void receive(Context ctx) {
    Map<String, String> headers = new HashMap<>();
    ctx.headerMap().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v));
    WebhookService.Outcome outcome = service.receive(new WebhookService.Call(
        ctx.pathParam("name"), headers, body(ctx), ctx.ip()));
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("deliveryId", outcome.deliveryId());
    switch (outcome.result()) {
      case PING -> {
        answer.put("ping", true);
        answer.put("reason", outcome.reason());
        ctx.status(200);
      }
      case DUPLICATE -> {
        answer.put("duplicate", true);
        answer.put("triggered", false);
        answer.put("reason", outcome.reason());
        ctx.status(200);
      }
      case FILTERED, IGNORED -> {
        answer.put("triggered", false);
        answer.put("reason", outcome.reason());
        ctx.status(202);
      }
      case TRIGGERED -> {
        answer.put("triggered", true);
        answer.put("executionId", outcome.executionId());
        ctx.status(202);
      }
    }
    ctx.json(answer);
  }

  private byte[] body(Context ctx) {
    long declared = ctx.contentLength();
    if (declared > maxBodyBytes) {
      throw tooLarge();
    }
    try (InputStream in = ctx.req().getInputStream()) {
      byte[] bytes = in.readNBytes(maxBodyBytes + 1);
      if (bytes.length > maxBodyBytes) {
        throw tooLarge();
      }
      return bytes;
    } catch (IOException e) {
      throw Refusal.invalid("The webhook body could not be read: " + e.getMessage(), List.of());
    }
  }

  private Refusal tooLarge() {
    return new Refusal(Refusal.Kind.TOO_LARGE, "too_large", "The webhook body is larger than "
        + maxBodyBytes + " bytes (DBOPS_WEBHOOK_MAX_BODY_BYTES)", List.of());
  }

  private Map<String, Object> view(Webhook w) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("name", w.name());
    v.put("format", w.format().id());
    v.put("pipeline", w.pipeline());
    v.put("branches", w.branches());
    v.put("paths", w.paths());
    v.put("inputs", w.inputs());
    v.put("refInput", w.refInput());
    v.put("url", publicUrl.get() + "/hooks/" + w.name());
    v.put("createdAt", w.createdAt());
    v.put("createdBy", w.createdBy());
    return v;
  }
}
