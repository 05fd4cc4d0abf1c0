package io.dbops.controlplane;

import io.dbops.controlplane.config.ControlPlaneConfig;
import io.dbops.controlplane.executions.ExecutionService;
import io.dbops.controlplane.executions.Orchestrator;
import io.dbops.config.EnvReader;
import io.dbops.controlplane.http.HttpServer;
import io.dbops.controlplane.http.ServerLimits;
import io.dbops.controlplane.logs.LogService;
import io.dbops.controlplane.queue.TaskQueue;
import io.dbops.controlplane.metrics.Metrics;
import io.dbops.controlplane.queue.TaskRoutes;
import io.dbops.controlplane.queue.TaskSweeper;
import io.dbops.controlplane.secrets.MasterKey;
import io.dbops.controlplane.secrets.MasterKeyCheck;
import io.dbops.controlplane.secrets.SecretRoutes;
import io.dbops.controlplane.secrets.SecretSealer;
import io.dbops.controlplane.secrets.SecretStore;
import io.dbops.controlplane.session.DelegateHub;
import io.dbops.controlplane.store.DataDirectory;
import io.dbops.controlplane.store.Database;
import io.dbops.controlplane.store.Ids;
import io.dbops.controlplane.store.Sql;
import io.dbops.controlplane.tls.TlsSettings;
import io.dbops.pipeline.PipelineLimits;
import io.dbops.protocol.TaskStatus;
import io.dbops.controlplane.tokens.TokenService;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reference control plane: REST API, delegate hub, durable task queue, log service and
 * pipeline orchestration in one process. The constructor only keeps the config; {@link #start}
 * migrates the schema, starts HTTP and the background threads; {@link #close} stops everything in
 * reverse order and is idempotent. See control-plane/README.md for threads, ports and storage.
 */
public final class ControlPlane implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ControlPlane.class);

  private final ControlPlaneConfig config;
  private final ServerLimits limits;
  private final TlsSettings tls;
  private final PipelineLimits pipelineLimits;
  private final Clock clock = Clock.systemUTC();
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private Database database;
  private DelegateHub hub;
  private TaskSweeper sweeper;
  private Orchestrator orchestrator;
  private LogService logs;
  private HttpServer http;
  private volatile String baseUrl;

  /**
   * With the HTTP limits, TLS settings and pipeline ceilings of the process environment
   * ({@code DBOPS_HTTP_*}, {@code DBOPS_TLS_*}, {@code DBOPS_ALLOW_INSECURE},
   * {@code DBOPS_MAX_STAGES}, {@code DBOPS_MAX_STEPS}; see control-plane/README.md).
   *
   * @throws io.dbops.config.ConfigException when one of them is malformed
   */
  public ControlPlane(ControlPlaneConfig config) {
    this(config, System.getenv());
  }

  /**
   * With the HTTP limits, TLS settings and pipeline ceilings read from {@code env} (for example the
   * CLI's environment with {@code DBOPS_ALLOW_INSECURE=true} for {@code --allow-insecure}).
   *
   * @throws io.dbops.config.ConfigException when one of them is malformed
   */
  public ControlPlane(ControlPlaneConfig config, java.util.Map<String, String> env) {
    this(config, httpSettings(env));
  }

  private ControlPlane(ControlPlaneConfig config, HttpSettings http) {
    this(config, http.limits(), http.tls(), http.pipelines());
  }

  /** With the default pipeline ceilings. */
  public ControlPlane(ControlPlaneConfig config, ServerLimits limits, TlsSettings tls) {
    this(config, limits, tls, PipelineLimits.DEFAULTS);
  }

  public ControlPlane(ControlPlaneConfig config, ServerLimits limits, TlsSettings tls,
      PipelineLimits pipelineLimits) {
    this.config = config;
    this.limits = limits;
    this.tls = tls;
    this.pipelineLimits = pipelineLimits;
  }

  private record HttpSettings(ServerLimits limits, TlsSettings tls, PipelineLimits pipelines) {}

  private static HttpSettings httpSettings(java.util.Map<String, String> env) {
    EnvReader reader = new EnvReader(env);
    HttpSettings settings = new HttpSettings(ServerLimits.fromEnvironment(reader),
        TlsSettings.fromEnvironment(reader), PipelineLimits.fromEnvironment(reader));
    reader.throwIfProblems("control plane");
    return settings;
  }

  public void start() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("The control plane was already started");
    }
    log.info("Starting control plane with {}", config);
    tls.checkBind(config.bindAddress());
    try {
      database = new Database(config.effectiveDbUrl(), config.dbUser(), config.dbPassword(),
          config.dataDir());
      database.start();
      Sql sql = new Sql(database.dataSource());
      Ids ids = new Ids();
      // Before anything else uses the store: a wrong master key stops the start here.
      MasterKey masterKey = new MasterKeyCheck(database.dataSource(), clock)
          .verify(config.masterKeys(), config.dataDir(), config.dbUrl() == null).orElse(null);
      SecretStore secrets = new SecretStore(sql, masterKey, clock);
      TokenService tokens = new TokenService(sql, clock, ids);
      TaskQueue queue = new TaskQueue(sql, clock, ids);
      Metrics metrics = new Metrics();
      Database db = database;
      metrics.readiness(db::reachable);
      logs = new LogService(database.dataSource(), clock, config.logs());
      logs.start();
      ExecutionService executions = new ExecutionService(sql, queue, logs, this::publicUrl,
          config.defaultImage(), clock, ids, secrets::exists, pipelineLimits);
      orchestrator = executions.orchestrator();
      hub = new DelegateHub(config, tokens, queue, sql, logs::withLogToken,
          new SecretSealer(secrets), metrics, clock, ids);
      DelegateHub h = hub;
      queue.addListener(hub);
      queue.addListener(orchestrator);
      tokens.onRevoke(hub::tokenRevoked);
      metrics.gauge("dbops_delegates_connected", "Delegate sessions of this replica that said hello",
          h::connectedCount);
      metrics.gauge("dbops_tasks_queued", "Tasks waiting for a delegate (all replicas)",
          () -> queue.count(TaskStatus.QUEUED));
      metrics.gauge("dbops_tasks_running", "Tasks assigned to a delegate (all replicas)",
          () -> queue.count(TaskStatus.RUNNING));
      sweeper = new TaskSweeper(queue, metrics, clock, Duration.ofMillis(config.sweepPeriodMillis()));
      // Delegates are silent for at most 3 heartbeat intervals; Jetty's own idle timeout is a backstop.
      http = new HttpServer(config.bindAddress(), config.port(),
          List.of(tokens, logs, executions, hub, new TaskRoutes(queue), new SecretRoutes(secrets),
              metrics),
          Duration.ofSeconds(config.heartbeatIntervalSeconds() * 4L + 30), limits, tls);
      hub.start();
      http.start();
      baseUrl = (tls.enabled() ? "https://" : "http://") + hostForUrl(config.bindAddress()) + ":" + http.port();
      sweeper.start();
      orchestrator.start();
      // files written during the start (master key, admin token) are 0600 like the rest
      DataDirectory.secure(config.dataDir(), false);
      log.info("Control plane ready at {} (public URL {})", baseUrl, publicUrl());
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** The HTTP port actually bound (useful with port 0). */
  public int port() {
    if (http == null) {
      throw new IllegalStateException("The control plane is not started");
    }
    return http.port();
  }

  /** For example {@code http://127.0.0.1:41234}. */
  public String baseUrl() {
    if (baseUrl == null) {
      throw new IllegalStateException("The control plane is not started");
    }
    return baseUrl;
  }

  private String publicUrl() {
    return config.publicUrl() != null ? config.publicUrl() : baseUrl();
  }

  private static String hostForUrl(String bind) {
    if ("0.0.0.0".equals(bind) || "::".equals(bind)) {
      return "127.0.0.1";
    }
    return bind.contains(":") ? "[" + bind + "]" : bind;
  }

  /** Stops accepting, closes delegate sessions, stops workers and HTTP, closes the pool. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    closeQuietly(hub);
    closeQuietly(sweeper);
    closeQuietly(orchestrator);
    closeQuietly(logs);
    closeQuietly(http);
    closeQuietly(database);
    log.info("Control plane stopped");
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      log.warn("Closing {} failed", c.getClass().getSimpleName(), e);
    }
  }
}
