package io.dbops.controlplane;

import io.dbops.controlplane.audit.AuditLog;
import io.dbops.controlplane.audit.AuditRoutes;
import io.dbops.controlplane.catalog.CatalogRoutes;
import io.dbops.controlplane.catalog.CatalogService;
import io.dbops.controlplane.config.ControlPlaneConfig;
import io.dbops.controlplane.console.auth.ConsoleAuthRoutes;
import io.dbops.controlplane.console.auth.OidcRoutes;
import io.dbops.controlplane.executions.ExecutionRoutes;
import io.dbops.controlplane.executions.ExecutionService;
import io.dbops.controlplane.executions.Orchestrator;
import io.dbops.controlplane.http.HealthRoutes;
import io.dbops.controlplane.http.HttpServer;
import io.dbops.controlplane.http.RouteRule;
import io.dbops.controlplane.http.Routes;
import io.dbops.controlplane.identity.AccessGate;
import io.dbops.controlplane.identity.AccessRoutes;
import io.dbops.controlplane.identity.AdminBootstrap;
import io.dbops.controlplane.identity.ApiTokens;
import io.dbops.controlplane.identity.ConsoleSessions;
import io.dbops.controlplane.identity.FailureThrottle;
import io.dbops.controlplane.logs.LogRoutes;
import io.dbops.controlplane.logs.LogService;
import io.dbops.controlplane.metrics.Metrics;
import io.dbops.controlplane.metrics.MetricsRoutes;
import io.dbops.controlplane.metrics.MetricsServer;
import io.dbops.controlplane.queue.Task;
import io.dbops.controlplane.queue.TaskQueue;
import io.dbops.controlplane.queue.TaskRoutes;
import io.dbops.controlplane.queue.TaskSweeper;
import io.dbops.controlplane.secrets.MasterKey;
import io.dbops.controlplane.secrets.MasterKeyCheck;
import io.dbops.controlplane.secrets.SecretRoutes;
import io.dbops.controlplane.secrets.SecretSealer;
import io.dbops.controlplane.secrets.SecretStore;
import io.dbops.controlplane.session.DelegateHub;
import io.dbops.controlplane.session.DelegateRoutes;
import io.dbops.controlplane.store.DataDirectory;
import io.dbops.controlplane.store.Database;
import io.dbops.controlplane.store.Ids;
import io.dbops.controlplane.store.Sql;
import io.dbops.controlplane.tokens.DelegateTokenRoutes;
import io.dbops.protocol.TaskStatus;
import io.dbops.controlplane.tokens.TokenService;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
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
  private final Clock clock = Clock.systemUTC();
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private Database database;
  private DelegateHub hub;
  private TaskSweeper sweeper;
  private Orchestrator orchestrator;
  private LogService logs;
  private HttpServer http;
  private MetricsServer metricsServer;
  private AdminBootstrap bootstrap;
  private volatile String baseUrl;

  public ControlPlane(ControlPlaneConfig config) {
    this.config = config;
  }

  public void start() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("The control plane was already started");
    }
    log.info("Starting control plane with {}", config);
    config.tls().checkBind(config.bindAddress());
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
      AuditLog audit = new AuditLog(sql, clock);
      ApiTokens apiTokens = new ApiTokens(sql, clock, ids);
      bootstrap = new AdminBootstrap(apiTokens, config.dataDir());
      bootstrap.run();
      TaskQueue queue = new TaskQueue(sql, clock, ids);
      Metrics metrics = new Metrics();
      Database db = database;
      logs = new LogService(database.dataSource(), clock, config.logs());
      logs.start();
      ExecutionService executions = new ExecutionService(sql, queue, logs, this::publicUrl,
          config.defaultImage(), clock, ids, secrets::exists, audit, config.pipelineLimits(),
          config.pause());
      orchestrator = executions.orchestrator();
      CatalogService catalog = new CatalogService(sql, clock, config.pipelineLimits(),
          executions::submit);
      // an environment that requires approval gets an approval before each apply deploying there
      executions.environmentApprovals(name -> catalog.environment(name)
          .map(io.dbops.controlplane.catalog.Environment::approvalRule));
      hub = new DelegateHub(config, tokens, queue, sql, logs::withLogToken,
          new SecretSealer(secrets), metrics, audit, clock, ids);
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
      FailureThrottle throttle = new FailureThrottle(clock, config.auth().failureLimit(),
          config.auth().failureWindow());
      ConsoleSessions consoleSessions = new ConsoleSessions(sql, clock,
          config.consoleAuth().sessionLifetime(), config.consoleAuth().sessionIdle());
      AccessGate gate = new AccessGate(apiTokens, throttle, audit, consoleSessions);
      List<Routes> routes = new ArrayList<>();
      routes.add(new HealthRoutes(db::reachable));
      routes.add(new MetricsRoutes(metrics, config.metrics().open()));
      routes.add(new AccessRoutes(apiTokens, this::routes));
      boolean secureCookies = config.tls().enabled() || config.consoleAuth().secureCookies();
      routes.add(new ConsoleAuthRoutes(apiTokens, consoleSessions, throttle, audit, secureCookies,
          config.consoleAuth().oidc() != null, this::publicUrl));
      routes.add(new OidcRoutes(config.consoleAuth().oidc(), consoleSessions, audit, secureCookies,
          this::publicUrl));
      routes.add(new AuditRoutes(audit));
      routes.add(new DelegateTokenRoutes(tokens));
      routes.add(new LogRoutes(logs));
      routes.add(new ExecutionRoutes(executions, CatalogRoutes.adHocResolver(catalog)));
      routes.add(new CatalogRoutes(catalog));
      routes.add(new io.dbops.controlplane.approvals.ApprovalRoutes(executions));
      routes.add(new DelegateRoutes(hub));
      routes.add(new TaskRoutes(queue));
      routes.add(new SecretRoutes(secrets));
      routes.add(new io.dbops.controlplane.console.ConsoleRoutes());
      // Delegates are silent for at most 3 heartbeat intervals; Jetty's own idle timeout is a backstop.
      http = new HttpServer(config.bindAddress(), config.port(), routes, gate, audit,
          Duration.ofSeconds(config.heartbeatIntervalSeconds() * 4L + 30), config.limits(), config.tls());
      hub.start();
      http.start();
      if (config.metrics().port() != null) {
        metricsServer = new MetricsServer(metrics, config.bindAddress(), config.metrics().port());
        metricsServer.start();
      }
      baseUrl = (config.tls().enabled() ? "https://" : "http://") + hostForUrl(config.bindAddress())
          + ":" + http.port();
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

  /**
   * The bootstrap admin API token, read from {@code DATA_DIR/admin.token} (written on the first
   * start with no API token); null when that file does not exist (deleted by the operator).
   */
  public String adminToken() {
    if (bootstrap == null) {
      throw new IllegalStateException("The control plane is not started");
    }
    return bootstrap.adminToken();
  }

  /** Every HTTP route with its access rule. */
  public List<RouteRule> routes() {
    if (http == null) {
      throw new IllegalStateException("The control plane is not started");
    }
    return http.routes();
  }

  /** The port of the metrics-only listener ({@code DBOPS_METRICS_PORT}), or -1 without one. */
  public int metricsPort() {
    return metricsServer == null ? -1 : metricsServer.port();
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
    closeQuietly(metricsServer);
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
