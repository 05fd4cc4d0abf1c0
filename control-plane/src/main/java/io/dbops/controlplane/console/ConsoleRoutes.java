package io.dbops.controlplane.console;

import io.dbops.controlplane.Refusal;
import io.dbops.controlplane.http.Access;
import io.dbops.controlplane.http.Edge;
import io.dbops.controlplane.http.Routes;
import io.javalin.http.Context;
import java.util.List;

/**
 * The web console's shell and static assets, all {@link Access#open()}: they carry no data. Every
 * page is the same {@code index.html}; its scripts read everything from {@code /api/v1} with the
 * session cookie (docs/console.md). Each answer carries a strict Content-Security-Policy (no inline
 * script or style, nothing from another origin, no framing), {@code X-Content-Type-Options:
 * nosniff} and a strong ETag; {@code Cache-Control: no-cache} makes the browser revalidate (a 304
 * costs a few bytes) so an upgraded control plane never runs old scripts.
 */
public final class ConsoleRoutes implements Routes {
  /** The pages of the console; each answers the shell, whose router renders the page. */
  static final List<String> PAGES = List.of("/", "/login", "/executions", "/executions/{id}",
      "/approvals", "/state", "/state/targets/{name}", "/delegates", "/admin");

  static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; "
      + "img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; "
      + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

  private final ConsoleAssets assets;

  public ConsoleRoutes() {
    this(ConsoleAssets.load());
  }

  ConsoleRoutes(ConsoleAssets assets) {
    this.assets = assets;
  }

  @Override
  public void addTo(Edge edge) {
    for (String page : PAGES) {
      edge.get(page, Access.open(), ctx -> serve(ctx, "index.html"));
    }
    edge.get("/console/assets/{file}", Access.open(), ctx -> serve(ctx, ctx.pathParam("file")));
    edge.get("/favicon.ico", Access.open(), ctx -> serve(ctx, "favicon.svg"));
  }

  private void serve(Context ctx, String name) {
    ConsoleAssets.Asset asset = assets.find(name).orElseThrow(() -> Refusal.notFound(
        "No console asset '" + printable(name) + "'; the console serves only its own files"));
    securityHeaders(ctx);
    ctx.header("Cache-Control", "no-cache");
    ctx.header("ETag", asset.etag());
    String seen = ctx.header("If-None-Match");
    if (seen != null && seen.contains(asset.etag())) {
      ctx.status(304);
      return;
    }
    ctx.contentType(asset.contentType());
    ctx.result(asset.bytes());
  }

  static void securityHeaders(Context ctx) {
    ctx.header("Content-Security-Policy", CSP);
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("X-Frame-Options", "DENY");
    ctx.header("Referrer-Policy", "no-referrer");
    ctx.header("Cross-Origin-Opener-Policy", "same-origin");
  }

  /** A name for an error message: at most 80 plain characters (it is the client's own input). */
  private static String printable(String name) {
    String plain = name.replaceAll("[^A-Za-z0-9._-]", "?");
    return plain.length() > 80 ? plain.substring(0, 80) + "..." : plain;
  }
}
