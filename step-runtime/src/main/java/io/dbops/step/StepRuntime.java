package io.dbops.step;

import io.dbops.proto.v1.StepRunnerGrpc;
import io.dbops.step.config.StepRuntimeConfig;
import io.dbops.step.datasource.PoolCache;
import io.dbops.step.git.CloneRunner;
import io.dbops.support.PodCredential;
import io.dbops.step.liquibase.LiquibaseStepRunner;
import io.dbops.step.server.StepRunnerService;
import io.dbops.support.NamedThreadFactory;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A step container: the StepRunner gRPC service plus grpc.health.v1.Health, running Liquibase
 * steps one at a time on the {@code step-exec-1} thread with warm, cached connection pools.
 *
 * <p>Lifecycle: the constructor only assigns fields; {@link #start()} binds the port and reports
 * SERVING; {@link #close()} is idempotent and stops in reverse order: health NOT_SERVING, gRPC
 * shutdown (running steps get {@code shutdownGrace} to finish), shutdownNow (cancels them), the
 * step executor, then the pools (no connection to a target is left) and the runner's caches. Owns
 * everything it creates; a ServerBuilder passed in is built and owned too. A warm pod process runs
 * one StepRuntime per binding, one after the other; closing it is the binding's release.
 */
public final class StepRuntime implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StepRuntime.class);
  // Liquibase logs through java.util.logging outside a step's scope; keep it to warnings. The
  // field holds a strong reference: JUL forgets the level of loggers nobody references.
  private static final java.util.logging.Logger LIQUIBASE_JUL = java.util.logging.Logger.getLogger("liquibase");

  private final StepRuntimeConfig config;
  private final Map<String, String> environment;
  private final ServerBuilder<?> serverBuilder;
  private final Clock clock;
  private final PodCredential credential;
  private final PoolCache pools;
  private final HealthStatusManager health = new HealthStatusManager();
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile Server server;
  private volatile ThreadPoolExecutor executor;
  private volatile StepRunnerService service;
  private volatile LiquibaseStepRunner runner;

  /**
   * Listens on {@code config.bindAddress():config.port()}.
   *
   * @param environment where a request's {@code password_env} is looked up, and the pod credential
   *     ({@code DBOPS_POD_TOKEN}); production passes System.getenv()
   * @throws io.dbops.config.ConfigException when {@code DBOPS_POD_TOKEN} is not set
   */
  public StepRuntime(StepRuntimeConfig config, Map<String, String> environment) {
    this(config, environment, NettyServerBuilder.forAddress(new InetSocketAddress(config.bindAddress(), config.port())),
        Clock.systemUTC());
  }

  /**
   * For tests: serve on the given builder (for example an in-process one) with the given clock.
   *
   * @throws io.dbops.config.ConfigException when {@code DBOPS_POD_TOKEN} is not set in {@code environment}
   */
  public StepRuntime(StepRuntimeConfig config, Map<String, String> environment,
      ServerBuilder<?> serverBuilder, Clock clock) {
    this.credential = PodCredential.fromEnvironment(environment, "step runtime");
    this.config = config;
    this.environment = Map.copyOf(environment);
    this.serverBuilder = serverBuilder;
    this.clock = clock;
    this.pools = new PoolCache(config.poolMaxSize(), config.connectionTimeout());
  }

  /** Binds the port and starts serving; call once. */
  public void start() throws IOException {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("StepRuntime already started");
    }
    quietLiquibaseLogging();
    // One step at a time: Liquibase's lock and history caches are process-wide (see
    // LiquibaseStepRunner). The queue is bounded; overflow is rejected with RESOURCE_EXHAUSTED.
    executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(Math.max(1, config.queueCapacity())),
        new NamedThreadFactory("step-exec", true), new ThreadPoolExecutor.AbortPolicy());
    runner = new LiquibaseStepRunner(pools, environment, clock, config);
    service = new StepRunnerService(runner, new CloneRunner(environment), executor, clock);
    server = serverBuilder
        .intercept(credential.serverInterceptor())
        .addService(service)
        .addService(health.getHealthService())
        .build()
        .start();
    health.setStatus("", ServingStatus.SERVING);
    health.setStatus(StepRunnerGrpc.SERVICE_NAME, ServingStatus.SERVING);
    log.info("Step runtime listening on {}:{}", config.bindAddress(), server.getPort());
  }

  /** Keeps Liquibase's java.util.logging output outside a step's scope to warnings (also for the warm-up). */
  static void quietLiquibaseLogging() {
    LIQUIBASE_JUL.setLevel(Level.WARNING);
  }

  /** The bound port (useful with port 0); -1 for in-process servers. */
  public int port() {
    Server s = server;
    if (s == null) {
      throw new IllegalStateException("StepRuntime not started");
    }
    return s.getPort();
  }

  /** Blocks until the server has terminated, that is until {@link #close()} ran. */
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
    health.enterTerminalState();
    Server s = server;
    if (s != null) {
      s.shutdown();
      try {
        if (!s.awaitTermination(config.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS)) {
          log.warn("Steps still running after {} s; cancelling them", config.shutdownGrace().toSeconds());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (service != null) {
        service.stopAll("the step container is shutting down");
      }
      s.shutdownNow();
      awaitQuietly(() -> s.awaitTermination(5, TimeUnit.SECONDS));
    }
    ThreadPoolExecutor e = executor;
    if (e != null) {
      e.shutdownNow();
      awaitQuietly(() -> e.awaitTermination(10, TimeUnit.SECONDS));
    }
    pools.close();
    LiquibaseStepRunner r = runner;
    if (r != null) {
      r.forgetCaches(); // keyed by URL and user: nothing of them outlives a warm pod's binding
    }
    log.info("Step runtime stopped");
  }

  private interface Wait {
    boolean await() throws InterruptedException;
  }

  private static void awaitQuietly(Wait wait) {
    try {
      if (!wait.await()) {
        log.warn("Timed out waiting for shutdown");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
