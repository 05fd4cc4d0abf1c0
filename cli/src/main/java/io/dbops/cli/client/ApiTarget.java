package io.dbops.cli.client;

import okhttp3.HttpUrl;

/**
 * Which control plane the CLI talks to, and with which API token. {@link #toString} never shows
 * the token.
 *
 * @param base the control plane's base URL
 * @param token the API token sent as {@code Authorization: Bearer}, or null to send none
 * @param tokenSource where the token came from ("DBOPS_API_TOKEN", the credentials file, ...), for
 *     messages; never the token itself
 */
public record ApiTarget(HttpUrl base, String token, String tokenSource) {

  /** {@code baseUrl} with {@code token}; a bad URL is a configuration problem. */
  public static ApiTarget of(String baseUrl, String token, String tokenSource) {
    HttpUrl parsed = HttpUrl.parse(baseUrl);
    if (parsed == null) {
      throw new io.dbops.config.ConfigException("command line",
          "--server (or DBOPS_SERVER_URL) must be an http(s) URL, not '" + baseUrl + "'");
    }
    return new ApiTarget(parsed, token, tokenSource);
  }

  /** The same server without a token (for the open routes and for tests of refusals). */
  public static ApiTarget anonymous(String baseUrl) {
    return of(baseUrl, null, "none");
  }

  @Override
  public String toString() {
    return "ApiTarget[" + base + ", token " + (token == null ? "none" : "from " + tokenSource) + "]";
  }
}
