package io.dbops.controlplane.http;

import io.dbops.api.ApiError;
import io.dbops.controlplane.Refusal;

/** How the HTTP edge answers a {@link Refusal}: its status and its error body (docs/api.md). */
public final class Refusals {
  private Refusals() {}

  /** The HTTP status of a refusal of {@code kind}. */
  public static int status(Refusal.Kind kind) {
    return switch (kind) {
      case INVALID -> 400;
      case UNAUTHENTICATED -> 401;
      case FORBIDDEN -> 403;
      case NOT_FOUND -> 404;
      case CONFLICT -> 409;
      case TOO_LARGE -> 413;
      case TOO_MANY -> 429;
      case UNAVAILABLE -> 503;
    };
  }

  /** The error body of {@code refusal}. */
  public static ApiError body(Refusal refusal) {
    return new ApiError(refusal.code(), refusal.getMessage(), refusal.details());
  }
}
