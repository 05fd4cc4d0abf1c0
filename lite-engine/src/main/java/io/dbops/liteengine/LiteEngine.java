package io.dbops.liteengine;

import io.dbops.liteengine.config.LiteEngineConfig;
import io.dbops.liteengine.dispatch.LogShipping;
import io.dbops.liteengine.dispatch.ResultMasker;
import io.dbops.liteengine.dispatch.WorkspaceMapping;
import io.dbops.liteengine.dispatch.StepDispatcher;
import io.dbops.liteengine.server.LiteEngineService;
import io.dbops.secrets.Masker;
import io.dbops.support.GrpcChannels;
import io.dbops.logship.LogShipper;
import io.dbops.logship.ShipperSettings;
import io.dbops.proto.v1.LiteEngineGrpc;
import io.dbops.support.NamedThreadFactory;
import io.dbops.support.RootCause;
import io.dbops.support.Secrets;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lite engine: a gRPC server ({@code dbops.v1.LiteEngine} plus {@code grpc.health.v1.Health})
 * that runs steps on the step containers of its pod and ships their output to the log service.
 *
 * <p>Lifecycle: the constructor only stores the config; {@link #start} binds the port and reports
 * SERVING; {@link #close} (idempotent, safe from a shutdown hook) stops the server within {@link
 * #SHUTDOWN_GRACE}, then closes the channels to the step containers and the HTTP client. It owns
 * every resource it uses. Thread-safe.
 */
public final class LiteEngine implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LiteEngine.class);
  /** How long close waits for running calls before cancelling them. */
  static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(10);
  /** How long a finished step waits for its log lines to reach the log service. */
  static final Duration LOG_FLUSH_DEADLINE = Duration.ofSeconds(15);
  /** Steps run one per step container, so a handful of RPC threads is plenty. */
  private static final int RPC_THREADS = 16;

  private final LiteEngineConfig config;
  private final ServerBuilder<?> serverBuilder;
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile Server server;
  private volatile HealthStatusManager health;
  private volatile ThreadPoolExecutor rpcExecutor;
  private volatile GrpcChannels channels;
  private volatile LogShipping shipping;
  private volatile OkHttpClient http;

  /** Listens on {@code config.bindAddress():config.port()}. */
  public LiteEngine(LiteEngineConfig config) {
    this(config, NettyServerBuilder.forAddress(new InetSocketAddress(config.bindAddress(), config.port())));
  }

  /** For tests: serves on the given builder (for example an in-process one), which it builds and owns. */
  public LiteEngine(LiteEngineConfig config, ServerBuilder<?> serverBuilder) {
    this.config = config;
    this.serverBuilder = serverBuilder;
  }

  /** Binds the port and starts serving. Call once. */
  public void start() throws IOException {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("Lite engine already started");
    }
    http =
        new OkHttpClient.Builder()
            .connectTimeout(Duration.ofSeconds(5))
            .readTimeout(Duration.ofSeconds(15))
            .writeTimeout(Duration.ofSeconds(15))
            .build();
    channels = new GrpcChannels("step container");
    // The line filter is the masking hook: every line passes it before it is spooled or sent.
    Masker masker = config.masker();
    // A spool left by an earlier lite engine is resumed only when it ships to this engine's log service
    // (DBOPS_LOG_SERVICE_URL): never another pod's stream to another service with that pod's token.
    shipping = new LogShipping(http, ShipperSettings.DEFAULT.withSpoolDir(config.logSpoolDir()),
        text -> masker.apply(Secrets.maskUrl(text)), ref -> config.forwarding().logRefusal(ref.serviceUrl()) == null);
    shipping.start();
    StepDispatcher dispatcher = new StepDispatcher(channels, shipping, LOG_FLUSH_DEADLINE, new ResultMasker(masker),
        WorkspaceMapping.under(config.workspaceRoot()), config.credential().clientInterceptor());
    health = new HealthStatusManager();
    rpcExecutor =
        new ThreadPoolExecutor(
            RPC_THREADS, RPC_THREADS, 60, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(256),
            new NamedThreadFactory("lite-engine-rpc", true),
            new ThreadPoolExecutor.AbortPolicy());
    rpcExecutor.allowCoreThreadTimeOut(true);
    try {
      server =
          serverBuilder
              .executor(rpcExecutor)
              .intercept(config.credential().serverInterceptor())
              .addService(new LiteEngineService(dispatcher, config.forwarding()))
              .addService(health.getHealthService())
              .build()
              .start();
    } catch (IOException e) {
      close();
      throw new IOException(
          "Lite engine cannot listen on " + config.bindAddress() + ":" + config.port()
              + " (DBOPS_BIND_ADDRESS, DBOPS_LITE_ENGINE_PORT): " + e.getMessage() + RootCause.suffix(e), e);
    }
    health.setStatus("", ServingStatus.SERVING);
    health.setStatus(LiteEngineGrpc.SERVICE_NAME, ServingStatus.SERVING);
    log.info("Lite engine listening on {}:{} ({} secret forms masked)", config.bindAddress(), port(),
        masker.formCount());
  }

  /** The bound port; useful when the config asked for port 0. */
  public int port() {
    Server s = server;
    if (s == null) {
      throw new IllegalStateException("Lite engine is not started");
    }
    return s.getPort();
  }

  /** Blocks until the server has terminated (after {@link #close}, typically from a shutdown hook). */
  public void awaitTermination() throws InterruptedException {
    Server s = server;
    if (s != null) {
      s.awaitTermination();
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (health != null) {
      health.enterTerminalState();
    }
    Server s = server;
    if (s != null) {
      s.shutdown();
      try {
        if (!s.awaitTermination(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
          log.warn("Lite engine calls still running after {} s; cancelling them", SHUTDOWN_GRACE.toSeconds());
          s.shutdownNow();
          s.awaitTermination(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        s.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
    if (rpcExecutor != null) {
      rpcExecutor.shutdownNow();
    }
    if (channels != null) {
      channels.close();
    }
    if (shipping != null) {
      shipping.close(); // undelivered lines stay in the spool for the next lite engine
    }
    if (http != null) {
      http.dispatcher().executorService().shutdown();
      http.connectionPool().evictAll();
    }
    log.info("Lite engine stopped");
  }
}
