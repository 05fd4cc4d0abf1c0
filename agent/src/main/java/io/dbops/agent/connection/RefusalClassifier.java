package io.dbops.agent.connection;

import java.net.URI;

/** Turns a failed connection attempt into a {@link DelegateException}: a refused token is fatal. */
final class RefusalClassifier {
  private final URI url;
  private final String retryPace;

  RefusalClassifier(URI url, long capMillis) {
    this.url = url;
    this.retryPace = capMillis >= 1000 ? capMillis / 1000 + " s" : capMillis + " ms";
  }

  /**
   * @param httpStatus the HTTP status of the refusing response, or -1 when there was none
   */
  DelegateException classify(Throwable failure, int httpStatus) {
    if (httpStatus == 401 || httpStatus == 403) {
      return new DelegateException.Fatal(
          "Control plane at " + url + " refused the delegate token (HTTP " + httpStatus + "):"
              + " it is unknown or has been revoked. Check DBOPS_TOKEN: it must be a delegate token issued by"
              + " this control plane and not revoked (dbops token list). Retrying every " + retryPace + ".",
          failure);
    }
    String reason = httpStatus != -1
        ? "HTTP " + httpStatus
        : failure.getClass().getSimpleName() + ": " + failure.getMessage();
    return new DelegateException.Retryable(reason, failure);
  }
}
