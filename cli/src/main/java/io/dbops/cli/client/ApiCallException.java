package io.dbops.cli.client;

import io.dbops.api.ApiError;

/** The control plane answered with an error; the message is its own, with every detail. */
public final class ApiCallException extends RuntimeException {
  private final int status;
  private final ApiError error;

  public ApiCallException(int status, ApiError error) {
    super(error.message() + (error.details().isEmpty() ? "" : "\n  - " + String.join("\n  - ", error.details())));
    this.status = status;
    this.error = error;
  }

  public int status() {
    return status;
  }

  public ApiError error() {
    return error;
  }
}
