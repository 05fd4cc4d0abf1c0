package io.dbops.controlplane.metrics;

import io.javalin.Javalin;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A second, metrics-only listener ({@code DBOPS_METRICS_PORT}): {@code GET /metrics} without a
 * credential, nothing else. Meant for a port only the monitoring network reaches.
 * {@link #close} is idempotent.
 */
public final class MetricsServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MetricsServer.class);

  private final Metrics metrics;
  private final String bindAddress;
  private final int port;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile Javalin app;

  public MetricsServer(Metrics metrics, String bindAddress, int port) {
    this.metrics = metrics;
    this.bindAddress = bindAddress;
    this.port = port;
  }

  public void start() {
    Javalin javalin = Javalin.create(config -> {
      config.showJavalinBanner = false;
      config.startupWatcherEnabled = false;
    });
    javalin.get("/metrics", ctx -> ctx.contentType(MetricsRoutes.CONTENT_TYPE)
        .result(metrics.scrape()));
    javalin.start(bindAddress, port);
    app = javalin;
    log.info("Metrics listening on {}:{} (GET /metrics, no credential)", bindAddress,
        javalin.port());
  }

  /** The bound port (useful with port 0). */
  public int port() {
    Javalin a = app;
    if (a == null) {
      throw new IllegalStateException("Metrics server not started");
    }
    return a.port();
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true) && app != null) {
      app.stop();
    }
  }
}
