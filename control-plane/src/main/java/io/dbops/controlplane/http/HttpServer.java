package io.dbops.controlplane.http;

import io.dbops.api.ApiError;
import io.dbops.controlplane.audit.Audit;
import io.dbops.support.Json;
import io.javalin.Javalin;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Javalin (Jetty 11) server: error mapping to {@link ApiError}, and the routes of every
 * feature, each registered through {@link Edge} with its access rule. Request threads are {@code cp-http-N}. {@link #close} stops Jetty; idempotent.
 */
public final class HttpServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HttpServer.class);

  private final String bindAddress;
  private final int port;
  private final List<Routes> routes;
  private final Gate gate;
  private final Audit audit;
  private final Duration wsIdleTimeout;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile Javalin app;

  private volatile List<RouteRule> table = List.of();

  /**
   * A server without identities (an embedded log service for tests and benchmarks): routes that
   * need an API token are refused 401; open, delegate-token and log-token routes work as always.
   */
  public HttpServer(String bindAddress, int port, List<Routes> routes, Duration wsIdleTimeout) {
    this(bindAddress, port, routes, (ctx, route) -> {
      if (route.access().kind() == Access.Kind.API_TOKEN) {
        throw ApiException.unauthorized("This server has no API identities; " + route
            + " cannot be used here");
      }
      return null;
    }, event -> { }, wsIdleTimeout);
  }

  /**
   * @param gate enforces each route's access rule
   * @param audit receives the audit events of mutating API routes
   * @param wsIdleTimeout Jetty closes a WebSocket silent for this long
   */
  public HttpServer(String bindAddress, int port, List<Routes> routes, Gate gate, Audit audit,
      Duration wsIdleTimeout) {
    this.bindAddress = bindAddress;
    this.port = port;
    this.routes = List.copyOf(routes);
    this.gate = gate;
    this.audit = audit;
    this.wsIdleTimeout = wsIdleTimeout;
  }

  public void start() {
    Javalin javalin = Javalin.create(config -> {
      config.showJavalinBanner = false;
      config.startupWatcherEnabled = false;
      config.jsonMapper(new JavalinJackson(Json.mapper(), false));
      // Long polls hold a thread for up to 30 s, so the pool is larger than the CPU count.
      QueuedThreadPool pool = new QueuedThreadPool(200, 8, 60_000);
      pool.setName("cp-http");
      config.jetty.threadPool = pool;
      config.jetty.modifyServer(server -> server.setStopTimeout(5_000));
      config.jetty.modifyWebSocketServletFactory(factory -> {
        // Above the protocol's 1 MiB, so an oversized frame gets a frame_too_large error frame
        // and the connection stays open; only frames over 4 MiB make Jetty close it (1009).
        factory.setMaxTextMessageSize(4L * 1024 * 1024);
        factory.setIdleTimeout(wsIdleTimeout);
      });
    });
    Edge edge = new Edge(javalin, gate, audit);
    for (Routes r : routes) {
      r.addTo(edge);
    }
    table = edge.routes();
    javalin.exception(ApiException.class, (e, ctx) -> ctx.status(e.status()).json(e.toError()));
    javalin.exception(HttpResponseException.class, (e, ctx) -> ctx.status(e.getStatus())
        .json(new ApiError(codeFor(e.getStatus()), e.getMessage(), List.of())));
    javalin.exception(Exception.class, (e, ctx) -> {
      log.error("Unhandled error on {} {}", ctx.method(), ctx.path(), e);
      ctx.status(500).json(new ApiError("internal_error",
          "The control plane failed to handle the request; the server log has the details.",
          List.of()));
    });
    javalin.error(404, ctx -> {
      if (ctx.result() == null || ctx.result().isEmpty()) {
        ctx.json(new ApiError("not_found", "No such endpoint: " + ctx.method() + " " + ctx.path()
            + "; see docs/api.md", List.of()));
      }
    });
    javalin.error(405, ctx -> {
      if (ctx.result() == null || ctx.result().isEmpty()) {
        ctx.json(new ApiError("method_not_allowed", "Method " + ctx.method() + " is not allowed on "
            + ctx.path(), List.of()));
      }
    });
    javalin.start(bindAddress, port);
    app = javalin;
    log.info("Control plane listening on {}:{}", bindAddress, javalin.port());
  }

  /** Every route with its access rule (complete once started). */
  public List<RouteRule> routes() {
    return table;
  }

  public int port() {
    Javalin a = app;
    if (a == null) {
      throw new IllegalStateException("HTTP server not started");
    }
    return a.port();
  }

  private static String codeFor(int status) {
    return switch (status) {
      case 400 -> "invalid_request";
      case 401 -> "unauthorized";
      case 403 -> "forbidden";
      case 404 -> "not_found";
      case 409 -> "conflict";
      default -> "http_" + status;
    };
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      Javalin a = app;
      if (a != null) {
        a.stop();
      }
    }
  }
}
