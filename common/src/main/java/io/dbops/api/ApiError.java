package io.dbops.api;

import java.util.List;

/** Body of every 4xx/5xx answer of the REST API. */
public record ApiError(String code, String message, List<String> details) {
  public ApiError {
    details = details == null ? List.of() : List.copyOf(details);
  }
}
