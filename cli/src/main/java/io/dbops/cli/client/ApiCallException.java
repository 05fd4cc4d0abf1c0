package io.dbops.cli.client;

import io.dbops.api.ApiError;

/**
 * The control plane answered with an error; the message is its own, with every detail, plus, for a
 * refused credential, where the CLI took its token from and how to set another.
 */
public final class ApiCallException extends RuntimeException {
  private final int status;
  private final ApiError error;

  public ApiCallException(int status, ApiError error, ApiTarget target) {
    super(error.message() + (error.details().isEmpty() ? "" : "\n  - " + String.join("\n  - ", error.details()))
        + hint(status, target));
    this.status = status;
    this.error = error;
  }

  public ApiCallException(int status, ApiError error) {
    this(status, error, null);
  }

  public int status() {
    return status;
  }

  public ApiError error() {
    return error;
  }

  private static String hint(int status, ApiTarget target) {
    if (status != 401 || target == null) {
      return "";
    }
    if (target.token() == null) {
      return "\n  The CLI sent no API token: set DBOPS_API_TOKEN, or run `dbops login --server "
          + target.base() + "` (the server's first start wrote an admin token to DATA_DIR/admin.token).";
    }
    return "\n  The API token came from " + target.tokenSource() + "; it is unknown, expired or revoked."
        + " Set DBOPS_API_TOKEN or run `dbops login --server " + target.base() + "` again.";
  }
}
