package io.dbops.controlplane.http;

/**
 * One registered route and its rule, as {@link Edge#routes()} lists them.
 *
 * @param method GET, POST, PUT, DELETE, or WS for a WebSocket upgrade
 * @param path Javalin path template, for example {@code /api/v1/secrets/{name}}
 */
public record RouteRule(String method, String path, Access access) {
  /** True for requests that change something (audited when they need an API token). */
  public boolean mutating() {
    return !"GET".equals(method) && !"WS".equals(method);
  }

  @Override
  public String toString() {
    return method + " " + path + " [" + access.describe() + "]";
  }
}
