package io.dbops.agent.endpoints;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.dbops.agent.config.DelegateConfig;
import io.dbops.support.ExecutorShutdown;
import io.dbops.support.NamedThreadFactory;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delegate's HTTP endpoints on the JDK's HTTP server: {@code /healthz} (200 while the process
 * serves), {@code /readyz} (200 when ready, else 503 with the reason), {@code /metrics} (Prometheus
 * text format). Requests are served on {@code delegate-http-1}. {@link #close} is idempotent.
 */
public final class DelegateEndpoints implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DelegateEndpoints.class);

  /** Whether the delegate should receive work, and if not why (one line). */
  public record Readiness(boolean ready, String reason) {}

  private final DelegateConfig.Endpoints config;
  private final PrometheusMeterRegistry registry;
  private final Supplier<Readiness> readiness;
  private final AtomicBoolean closed = new AtomicBoolean();
  private HttpServer server;
  private ExecutorService executor;

  public DelegateEndpoints(
      DelegateConfig.Endpoints config, PrometheusMeterRegistry registry, Supplier<Readiness> readiness) {
    this.config = config;
    this.registry = registry;
    this.readiness = readiness;
  }

  /**
   * Binds and serves.
   *
   * @throws IllegalStateException naming DBOPS_METRICS_PORT / DBOPS_METRICS_BIND when the address is taken
   */
  public void start() {
    try {
      server = HttpServer.create(new InetSocketAddress(config.bind(), config.port()), 16);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot serve the delegate's /healthz, /readyz and /metrics on "
          + config.bind() + ":" + config.port() + " (" + e.getMessage() + "): set DBOPS_METRICS_PORT to a free"
          + " port (0 picks one) or DBOPS_METRICS_BIND to another address", e);
    }
    executor = Executors.newSingleThreadExecutor(new NamedThreadFactory("delegate-http", true));
    server.setExecutor(executor);
    server.createContext("/healthz", exchange -> respond(exchange, 200, "text/plain", "ok\n"));
    server.createContext("/readyz", exchange -> {
      Readiness now = readiness.get();
      respond(exchange, now.ready() ? 200 : 503, "text/plain", (now.ready() ? "ready" : now.reason()) + "\n");
    });
    server.createContext("/metrics", exchange ->
        respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
    server.start();
    log.info("Serving /healthz, /readyz and /metrics on {}:{}", config.bind(), port());
  }

  /** The bound port (the chosen one when configured with 0). */
  public int port() {
    if (server == null) {
      throw new IllegalStateException("Endpoints are not started");
    }
    return server.getAddress().getPort();
  }

  private static void respond(HttpExchange exchange, int status, String contentType, String body) {
    try (exchange) {
      if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", contentType);
      if ("HEAD".equals(exchange.getRequestMethod())) {
        exchange.sendResponseHeaders(status, -1);
        return;
      }
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (server != null) {
      server.stop(0);
    }
    if (executor != null) {
      ExecutorShutdown.now(executor, Duration.ofSeconds(2));
    }
  }
}
