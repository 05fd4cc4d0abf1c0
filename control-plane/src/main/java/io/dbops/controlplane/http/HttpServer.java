package io.dbops.controlplane.http;

import io.dbops.controlplane.Refusal;
import io.dbops.api.ApiError;
import io.dbops.controlplane.audit.Audit;
import io.dbops.controlplane.tls.ServerCertificate;
import io.dbops.controlplane.tls.TlsSettings;
import io.dbops.support.Json;
import io.javalin.Javalin;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import jakarta.servlet.DispatcherType;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.servlet.FilterHolder;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Javalin (Jetty 11) server: error mapping to {@link ApiError}, and the routes of every
 * feature, each registered through {@link Edge} with its access rule. Request threads are {@code
 * cp-http-N}. One connector: plain HTTP, or HTTPS with a reloading {@link ServerCertificate} when
 * {@link TlsSettings#enabled}; connection idle timeout, body read timeout and minimum body rate
 * from {@link ServerLimits}. {@link #close} stops Jetty and the certificate watcher; idempotent.
 */
public final class HttpServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HttpServer.class);

  private final String bindAddress;
  private final int port;
  private final List<Routes> routes;
  private final Gate gate;
  private final Audit audit;
  private final Duration wsIdleTimeout;
  private final ServerLimits limits;
  private final TlsSettings tls;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile Javalin app;
  private volatile ServerCertificate certificate;

  private volatile List<RouteRule> table = List.of();

  /**
   * @param gate enforces each route's access rule
   * @param audit receives the audit events of mutating API routes
   * @param wsIdleTimeout Jetty closes a WebSocket silent for this long
   * @param limits threads, idle timeout and minimum body rate
   * @param tls the certificate to serve, or {@link TlsSettings#none()} for plain HTTP
   */
  public HttpServer(String bindAddress, int port, List<Routes> routes, Gate gate, Audit audit,
      Duration wsIdleTimeout, ServerLimits limits, TlsSettings tls) {
    this.bindAddress = bindAddress;
    this.port = port;
    this.routes = List.copyOf(routes);
    this.gate = gate;
    this.audit = audit;
    this.wsIdleTimeout = wsIdleTimeout;
    this.limits = limits;
    this.tls = tls;
  }

  public void start() {
    if (tls.enabled()) {
      certificate = new ServerCertificate(tls);
    }
    SslContextFactory.Server ssl = certificate == null ? null : certificate.start();
    Javalin javalin = Javalin.create(config -> {
      config.showJavalinBanner = false;
      config.startupWatcherEnabled = false;
      config.jsonMapper(new JavalinJackson(Json.mapper(), false));
      // Long polls wait asynchronously; SSE tails (capped) and blocking reads hold a thread.
      QueuedThreadPool pool = new QueuedThreadPool(limits.maxThreads(), 8, 60_000);
      pool.setName("cp-http");
      config.jetty.threadPool = pool;
      config.jetty.addConnector((server, httpConfig) -> connector(server, httpConfig, ssl));
      config.jetty.modifyServletContextHandler(handler -> handler.addFilter(
          new FilterHolder(new CompleteBodyFilter(limits.minBodyBytesPerSecond(),
              CompleteBodyFilter.grace(limits.idleTimeout()))), "/*", EnumSet.of(DispatcherType.REQUEST)));
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
    javalin.exception(Refusal.class, (e, ctx) -> ctx.status(Refusals.status(e.kind())).json(Refusals.body(e)));
    javalin.exception(HttpResponseException.class, (e, ctx) -> ctx.status(e.getStatus())
        .json(new ApiError(codeFor(e.getStatus()), e.getMessage(), List.of())));
    javalin.exception(Exception.class, (e, ctx) -> {
      ApiError slow = slowClient(e);
      if (slow != null) {
        log.info("Cut a slow request {} {} from {}: {}", ctx.method(), ctx.path(), ctx.ip(), slow.message());
        ctx.status(408).header("Connection", "close").json(slow);
        return;
      }
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
    javalin.start();
    app = javalin;
    log.info("Control plane listening on {}://{}:{}", ssl == null ? "http" : "https", bindAddress,
        javalin.port());
  }

  private Connector connector(Server server, HttpConfiguration httpConfig, SslContextFactory.Server ssl) {
    // A body trickled a few bytes at a time makes progress, so only a minimum rate cuts it (408):
    // CompleteBodyFilter measures it, with a grace; Jetty's own check (none) would cut small bodies
    // that had arrived whole whenever the reading thread waited for a core.
    httpConfig.setMinRequestDataRate(0);
    httpConfig.setSendServerVersion(false);
    ServerConnector connector;
    if (ssl == null) {
      connector = new ServerConnector(server, new HttpConnectionFactory(httpConfig));
    } else {
      HttpConfiguration https = new HttpConfiguration(httpConfig);
      // One certificate for every name: no SNI needed, and clients may use the IP address.
      https.addCustomizer(new SecureRequestCustomizer(false, false, -1, false));
      connector = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"),
          new HttpConnectionFactory(https));
    }
    connector.setHost(bindAddress);
    connector.setPort(port);
    // A connection without traffic is closed after this long, and a blocked read or write of a
    // request fails after it (a client that sends headers and then stops sending its body frees
    // its thread); asynchronous waits are not IO and are not cut by it. Deliberately not set on
    // HttpConfiguration as well: a request restores that value when it completes, which would undo
    // the short idle timeout Jetty gives connections while it stops (and make its stop time out).
    connector.setIdleTimeout(limits.idleTimeout().toMillis());
    return connector;
  }

  /** The client sent its body too slowly or stopped sending it: 408, not a server error. */
  private ApiError slowClient(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BadMessageException bad && bad.getCode() == 408) {
        return new ApiError("request_timeout", "The request body arrived slower than "
            + limits.minBodyBytesPerSecond() + " bytes per second (DBOPS_HTTP_MIN_BODY_BYTES_PER_SECOND);"
            + " the request was cut", List.of());
      }
      if (t instanceof java.util.concurrent.TimeoutException) {
        return new ApiError("request_timeout", "The request body stopped arriving for "
            + limits.idleTimeout().toSeconds() + " s (DBOPS_HTTP_IDLE_TIMEOUT_SECONDS); the request was cut",
            List.of());
      }
    }
    return null;
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
      ServerCertificate c = certificate;
      if (c != null) {
        c.close();
      }
    }
  }
}
