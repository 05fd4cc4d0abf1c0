package io.dbops.controlplane.http;

import io.dbops.controlplane.Refusal;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.dbops.support.Json;
import io.javalin.http.Context;
import java.util.List;

/** Helpers for reading requests; failures become 400 {@link Refusal}s. */
public final class Requests {
  private Requests() {}

  /** The body parsed as {@code type}. */
  public static <T> T body(Context ctx, Class<T> type) {
    String body = ctx.body();
    if (body.isBlank()) {
      throw Refusal.invalid("The request body is empty; send a JSON " + type.getSimpleName(),
          List.of());
    }
    try {
      T value = Json.mapper().readValue(body, type);
      if (value == null) {
        throw Refusal.invalid("The request body is JSON null; send a JSON "
            + type.getSimpleName(), List.of());
      }
      return value;
    } catch (JsonProcessingException e) {
      throw Refusal.invalid("The request body is not a valid " + type.getSimpleName()
          + ": " + e.getOriginalMessage(), List.of(e.getOriginalMessage()));
    }
  }

  /** A query parameter as a long within [min, max], or {@code fallback} when absent. */
  public static long longParam(Context ctx, String name, long fallback, long min, long max) {
    String raw = ctx.queryParam(name);
    if (raw == null || raw.isBlank()) {
      return fallback;
    }
    long value;
    try {
      value = Long.parseLong(raw.trim());
    } catch (NumberFormatException e) {
      throw Refusal.invalid("Query parameter '" + name + "' must be a number, not '" + raw
          + "'", List.of());
    }
    if (value < min || value > max) {
      throw Refusal.invalid("Query parameter '" + name + "' must be between " + min
          + " and " + max + ", not " + value, List.of());
    }
    return value;
  }

  /** The bearer token of the Authorization header, or null. */
  public static String bearer(String authorization) {
    if (authorization == null) {
      return null;
    }
    String prefix = "Bearer ";
    if (authorization.regionMatches(true, 0, prefix, 0, prefix.length())) {
      String token = authorization.substring(prefix.length()).trim();
      return token.isEmpty() ? null : token;
    }
    return null;
  }
}
