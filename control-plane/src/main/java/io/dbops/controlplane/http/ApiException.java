package io.dbops.controlplane.http;

import io.dbops.api.ApiError;
import java.util.List;

/** A request the API refuses; mapped to its status and an {@link ApiError} body. */
public final class ApiException extends RuntimeException {
  private final int status;
  private final String code;
  private final List<String> details;

  public ApiException(int status, String code, String message, List<String> details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details == null ? List.of() : List.copyOf(details);
  }

  public static ApiException badRequest(String message, List<String> details) {
    return new ApiException(400, "invalid_request", message, details);
  }

  public static ApiException notFound(String message) {
    return new ApiException(404, "not_found", message, List.of());
  }

  public static ApiException unauthorized(String message) {
    return new ApiException(401, "unauthorized", message, List.of());
  }

  public static ApiException forbidden(String message) {
    return new ApiException(403, "forbidden", message, List.of());
  }

  public int status() {
    return status;
  }

  public ApiError toError() {
    return new ApiError(code, getMessage(), details);
  }
}
