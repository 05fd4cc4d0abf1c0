package io.dbops.controlplane.http;

import io.dbops.controlplane.Refusal;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
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
      String problem = problem(e);
      throw Refusal.invalid("The request body is not a valid " + type.getSimpleName() + ": "
          + problem, List.of(problem));
    }
  }

  /**
   * What is wrong with a body and where, without quoting it: Jackson's own messages quote the
   * offending text, which may be part of a secret (a secret's value is sent in a body).
   */
  static String problem(JsonProcessingException e) {
    String what;
    if (e instanceof UnrecognizedPropertyException u) {
      what = "unknown field '" + u.getPropertyName() + "'";
    } else if (e instanceof JsonMappingException m && !(e instanceof MismatchedInputException
        && m.getPath().isEmpty())) {
      String path = m.getPath().stream()
          .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
          .reduce((a, b) -> b.startsWith("[") ? a + b : a + "." + b).orElse("");
      what = path.isEmpty() ? "a value has the wrong type" : "field '" + path + "' has the wrong type";
    } else {
      what = "it is not well-formed JSON";
    }
    JsonLocation at = e.getLocation();
    return at == null || at.getLineNr() < 0 ? what
        : what + " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
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
