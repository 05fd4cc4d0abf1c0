package io.dbops.controlplane.secrets;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.controlplane.http.Access;
import io.dbops.controlplane.Refusal;
import io.dbops.controlplane.http.Edge;
import io.dbops.controlplane.http.Routes;
import io.dbops.controlplane.identity.Verb;
import io.dbops.secrets.SecretSource;
import io.dbops.support.Json;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * {@code PUT /api/v1/secrets/{name}}, {@code GET /api/v1/secrets}, {@code DELETE
 * /api/v1/secrets/{name}} (docs/api.md), verb secrets (admin); changes are audited by name. No answer, error message or log line holds a value: a
 * malformed body is refused without quoting it.
 */
public final class SecretRoutes implements Routes {
  /** The largest value, in UTF-8 bytes. */
  public static final int MAX_VALUE_BYTES = 64 * 1024;

  private final SecretStore store;

  public SecretRoutes(SecretStore store) {
    this.store = store;
  }

  @Override
  public void addTo(Edge edge) {
    edge.put("/api/v1/secrets/{name}", Access.verb(Verb.SECRETS), ctx -> {
      Edge.audit(ctx, "secret.put", ctx.pathParam("name"));
      String name = name(ctx);
      String value = value(ctx);
      boolean created;
      try {
        created = store.put(name, value);
      } catch (SecretStore.DisabledException e) {
        throw new Refusal(Refusal.Kind.UNAVAILABLE, "secrets_disabled", e.getMessage(), List.of());
      } catch (SecretStore.KeyRotatedException e) {
        throw new Refusal(Refusal.Kind.UNAVAILABLE, "master_key_rotated", e.getMessage(), List.of());
      }
      ctx.status(created ? 201 : 200).json(Map.of("name", name, "created", created));
    });
    edge.get("/api/v1/secrets", Access.verb(Verb.SECRETS), ctx -> ctx.json(store.list()));
    edge.delete("/api/v1/secrets/{name}", Access.verb(Verb.SECRETS), ctx -> {
      Edge.audit(ctx, "secret.delete", ctx.pathParam("name"));
      String name = name(ctx);
      if (!store.delete(name)) {
        throw Refusal.notFound("No secret '" + name + "'; list them with GET /api/v1/secrets");
      }
      ctx.json(Map.of("name", name, "deleted", true));
    });
  }

  private static String name(Context ctx) {
    String name = ctx.pathParam("name");
    if (!SecretSource.STORE_NAME.matcher(name).matches()) {
      throw Refusal.invalid("Invalid secret name: use 1-128 letters, digits, '.', '_' or '-',"
          + " starting with a letter or digit", List.of("name must match " + SecretSource.STORE_NAME));
    }
    return name;
  }

  /** The body's {@code value}; every refusal is worded without quoting the body. */
  private static String value(Context ctx) {
    JsonNode body;
    try {
      body = Json.mapper().readTree(ctx.body());
    } catch (IOException e) {
      body = null;
    }
    if (body == null || !body.isObject() || !body.path("value").isTextual()) {
      throw Refusal.invalid("The request body must be a JSON object {\"value\": \"...\"} with a"
          + " string value", List.of("value is required and must be a string"));
    }
    String value = body.get("value").asText();
    if (value.isEmpty()) {
      throw Refusal.invalid("The secret's value is empty", List.of("value must not be empty"));
    }
    int bytes = value.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_VALUE_BYTES) {
      throw new Refusal(Refusal.Kind.TOO_LARGE, "too_large", "The secret's value is " + bytes + " bytes; at most "
          + MAX_VALUE_BYTES + " are accepted", List.of());
    }
    return value;
  }
}
