package io.dbops.agent;

import io.dbops.config.ConfigException;
import io.dbops.agent.config.DelegateConfig;
import io.dbops.agent.config.KubernetesSettings;
import io.dbops.agent.connection.ControlPlaneConnection;
import io.dbops.agent.connection.FrameSender;
import io.dbops.agent.connection.ProxySettings;
import io.dbops.agent.connection.TlsSettings;
import io.dbops.agent.endpoints.DelegateEndpoints;
import io.dbops.agent.endpoints.DelegateMetrics;
import io.dbops.agent.policy.DelegatePolicy;
import io.dbops.agent.runtime.PodRuntime;
import io.dbops.agent.runtime.kubernetes.KubernetesPodRuntime;
import io.dbops.agent.runtime.kubernetes.KubernetesRuntimeSettings;
import io.dbops.agent.runtime.kubernetes.KubernetesSecrets;
import io.dbops.agent.runtime.local.LocalPodRuntime;
import io.dbops.agent.secrets.KubernetesSecretReader;
import io.dbops.agent.secrets.SecretResolver;
import io.dbops.agent.task.StageLogs;
import io.dbops.agent.task.TaskHandlers;
import io.dbops.agent.task.TaskRunner;
import io.dbops.protocol.Frame;
import io.dbops.protocol.FrameCodec;
import io.dbops.protocol.TaskTypes;
import io.dbops.secrets.SealedBox;
import io.dbops.support.GrpcChannels;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delegate: keeps a session with the control plane (WebSocket or long-poll), claims tasks up
 * to its capacity and runs them (build pods through a {@link PodRuntime}, steps through the pod's
 * lite engine), and serves /healthz, /readyz and /metrics.
 *
 * <p>Lifecycle: the constructor validates (including the TLS files) and stores; {@link #start}
 * binds the endpoints, removes what earlier instances on the same state directory left running
 * (local pod processes recorded there; on Kubernetes, this delegate's pods and Secrets whose lease
 * lapsed) and connects in the background, then returns; once the token is revoked or refused the
 * running tasks get the drain grace (at most 60 s) and then every build pod is stopped
 * ({@link RevocationCleanup}); {@link #drain} (on SIGTERM)
 * lets running tasks finish and unregisters; {@link #close} (idempotent, safe from a shutdown hook)
 * stops claiming, interrupts running tasks (waiting up to 10 s), closes the session, stops every pod
 * it started and releases its threads, channels, endpoints and HTTP client, in that order.
 * Thread-safe.
 */
public final class Delegate implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Delegate.class);
  /** How long {@link #drain} waits for the acknowledgements of the last results. */
  private static final Duration ACK_WAIT = Duration.ofSeconds(10);
  /** The least time a Kubernetes build pod gets to become ready. */
  static final Duration KUBERNETES_READY_TIMEOUT = Duration.ofMinutes(5);

  private final DelegateConfig config;
  private final Function<String, String> delegateEnv;
  private final Supplier<KubernetesClient> kubernetesClient;
  /** Store secrets are sealed to this process's key pair; a restart makes a new one. */
  private final KeyPair sealingKeys = SealedBox.newKeyPair();
  private final String instanceId = UUID.randomUUID().toString();
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean draining = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final OkHttpClient http;
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final DelegateMetrics metrics = new DelegateMetrics(registry);
  private volatile PodRuntime runtime;
  private volatile StageLogs stageLogs;
  private volatile KubernetesClient kubernetes;
  private volatile GrpcChannels liteEngines;
  private volatile TaskRunner tasks;
  private volatile ControlPlaneConnection connection;
  private volatile DelegateEndpoints endpoints;

  /** A delegate reading {@code env:VAR} secrets from this process's environment. */
  public Delegate(DelegateConfig config) {
    this(config, System::getenv);
  }

  /**
   * @param delegateEnv resolves the delegate's environment variables for {@code env:VAR} secrets
   * @throws ConfigException when the CA bundle or client certificate cannot be used
   */
  public Delegate(DelegateConfig config, Function<String, String> delegateEnv) {
    this(config, delegateEnv, () -> new KubernetesClientBuilder().build());
  }

  /**
   * @param kubernetesClient makes the Kubernetes API client of the kubernetes runtime (called once, by
   *     {@link #start}, only with {@code DBOPS_RUNTIME=kubernetes}); the delegate closes the client
   */
  public Delegate(DelegateConfig config, Function<String, String> delegateEnv,
      Supplier<KubernetesClient> kubernetesClient) {
    this.config = config;
    this.delegateEnv = delegateEnv;
    this.kubernetesClient = kubernetesClient;
    ProxySettings proxy = ProxySettings.fromEnvironment(delegateEnv);
    this.http = proxy.apply(TlsSettings.apply(config.tls(), new OkHttpClient.Builder()))
        .connectTimeout(Duration.ofSeconds(10))
        .writeTimeout(Duration.ofSeconds(10))
        // the session's own heartbeats detect a dead peer; an idle socket is normal
        .readTimeout(Duration.ZERO)
        .build();
  }

  /**
   * Serves the endpoints and starts connecting in the background. Call once.
   *
   * @throws IllegalStateException when the endpoints' port is taken (the message names DBOPS_METRICS_PORT)
   */
  public void start() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("Delegate already started");
    }
    endpoints = new DelegateEndpoints(config.endpoints(), registry, this::readiness);
    endpoints.start();
    KubernetesSecretReader kubernetesSecrets = KubernetesSecretReader.NONE;
    if (DelegateConfig.RUNTIME_KUBERNETES.equals(config.runtime())) {
      // by default where the API is comes from the in-cluster service account, KUBECONFIG or KUBERNETES_MASTER
      kubernetes = kubernetesClient.get();
      KubernetesSettings k = config.kubernetes();
      KubernetesPodRuntime pods = new KubernetesPodRuntime(kubernetes, KubernetesRuntimeSettings.of(k.namespace(),
          k.podImage(), k.serviceAccount(), config.name(), instanceId, kubernetesReadyTimeout())
          .withStepSettings(k.stepSettings()), Clock.systemUTC());
      pods.start();
      runtime = pods;
      String ownNamespace = kubernetes.getNamespace() != null ? kubernetes.getNamespace() : "default";
      kubernetesSecrets = new KubernetesSecrets(kubernetes, ownNamespace);
      log.info("Kubernetes runtime: build pods in namespace {} on {}; kubernetes: secret sources from namespace {}",
          k.namespace(), kubernetes.getMasterUrl(), ownNamespace);
    } else {
      runtime = new LocalPodRuntime(config.local(), config.stateDir(), config.podReadyTimeout(), delegateEnv,
          instanceId);
    }
    // before connecting: what killed instances on this state directory left running goes first
    runtime.removeLeftovers();
    runtime.warmUp();
    // Local pods share the delegate's file system, so their steps' files are checked; Kubernetes pods do not.
    DelegatePolicy policy = DelegateConfig.RUNTIME_KUBERNETES.equals(config.runtime())
        ? DelegatePolicy.forIsolatedPods(config.allowlists(), config.stateDir())
        : new DelegatePolicy(config.allowlists(), config.stateDir());
    log.info("Allowlists: {}", config.allowlists());
    SecretResolver secrets = new SecretResolver(sealingKeys.getPrivate(), delegateEnv, kubernetesSecrets, policy);
    liteEngines = new GrpcChannels("lite engine");
    // The runner sends through the connection and the connection delivers to the runner.
    ForwardingSender sender = new ForwardingSender();
    // The log service answers within seconds; the WebSocket client's read timeout is infinite.
    stageLogs = new StageLogs(http.newBuilder().readTimeout(Duration.ofSeconds(15)).build(),
        config.stateDir().resolve("log-spool"));
    tasks = new TaskRunner(config.capacity(), TaskHandlers.standard(runtime, liteEngines, secrets, policy, stageLogs,
        config.serverUrl().toString()),
        sender, config.outboxDir(), metrics, policy, runtime::podRoom);
    TaskRunner runner = tasks;
    String version = version();
    String sealingKey = SealedBox.encodePublicKey(sealingKeys.getPublic());
    connection = new ControlPlaneConnection(config, http, new FrameCodec(),
        () -> new Frame.Hello(Frame.PROTOCOL_VERSION, config.name(), instanceId, version, config.tags(),
            config.capacity(), TaskTypes.ALL, runner.runningTasks(), runner.unacknowledgedResults(),
            sealingKey),
        new RevocationCleanup(runner, runtime, config.drainGrace()), metrics);
    sender.target = connection;
    tasks.start();
    connection.start();
    log.info("Delegate {} (instance {}, version {}) connecting to {} with capacity {} and tags {}",
        config.name(), instanceId, version, config.transportUrl(), config.capacity(), config.tags());
  }

  /** True while a session with the control plane is open and welcomed. */
  public boolean isConnected() {
    ControlPlaneConnection c = connection;
    return c != null && c.isConnected();
  }

  /** Waits until connected; false when {@code timeout} passes first. */
  public boolean awaitConnected(Duration timeout) throws InterruptedException {
    ControlPlaneConnection c = connection;
    if (c == null) {
      throw new IllegalStateException("Delegate is not started");
    }
    return c.awaitConnected(timeout);
  }

  /** This process's random instance id, as sent in hello. */
  public String instanceId() {
    return instanceId;
  }

  /** The port of /healthz, /readyz and /metrics (the chosen one when configured with 0). */
  public int endpointsPort() {
    DelegateEndpoints e = endpoints;
    if (e == null) {
      throw new IllegalStateException("Delegate is not started");
    }
    return e.port();
  }

  /** What /readyz answers: ready when welcomed and neither draining nor revoked. */
  public DelegateEndpoints.Readiness readiness() {
    TaskRunner t = tasks;
    if (closed.get()) {
      return new DelegateEndpoints.Readiness(false, "delegate is shut down");
    }
    if (draining.get()) {
      return new DelegateEndpoints.Readiness(false, "delegate is draining (shutting down)");
    }
    if (t != null && t.isRevoked()) {
      return new DelegateEndpoints.Readiness(false, "the control plane revoked the delegate token");
    }
    if (!isConnected()) {
      return new DelegateEndpoints.Readiness(false, "not connected to " + config.transportUrl());
    }
    return new DelegateEndpoints.Readiness(true, "ready");
  }

  /** {@link #drain(Duration)} with the configured grace period ({@code DBOPS_DRAIN_SECONDS}). */
  public void drain() {
    drain(config.drainGrace());
  }

  /**
   * Graceful shutdown, before {@link #close} (the CLI's SIGTERM hook): sends {@code draining},
   * claims nothing more and hands back ({@code task_release}) tasks claimed but not started; lets
   * running tasks finish within {@code grace}, then stops the rest and reports them FAILED
   * ("delegate shut down before the task finished"); waits up to 10 s for the acknowledgements of
   * the results (unacknowledged ones stay in the outbox for the next start); sends {@code goodbye}
   * and closes the session with code 1000. Blocks up to {@code grace} + ~10 s. Only the first call
   * has an effect; a no-op before {@link #start} or after {@link #close}.
   */
  public void drain(Duration grace) {
    if (!started.get() || closed.get() || !draining.compareAndSet(false, true)) {
      return;
    }
    TaskRunner runner = tasks;
    ControlPlaneConnection session = connection;
    log.info("Draining: claiming no more work; {} running task(s) may finish within {} s",
        runner.running(), grace.toSeconds());
    session.send(new Frame.Draining("delegate shutting down"));
    runner.startDraining("delegate is shutting down");
    try {
      if (!runner.awaitNoneRunning(grace)) {
        int stopped = runner.stopRunning(TaskRunner.SHUT_DOWN_ERROR);
        log.warn("Drain grace period of {} s ended: stopped {} task(s) and reported them failed",
            grace.toSeconds(), stopped);
      }
      if (!runner.awaitResultsAcknowledged(ACK_WAIT)) {
        log.warn("{} result(s) not acknowledged within {} s; they stay in {} and are delivered by the next"
            + " delegate started with this state directory", runner.pendingResults(), ACK_WAIT.toSeconds(),
            config.outboxDir());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    session.send(new Frame.Goodbye("delegate shut down"));
    session.close();
    log.info("Delegate {} drained and unregistered", config.name());
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    log.info("Delegate {} shutting down", config.name());
    if (tasks != null) {
      tasks.stopClaiming();
      tasks.close();
    }
    if (connection != null) {
      connection.close();
    }
    if (stageLogs != null) {
      stageLogs.close(); // undelivered lines stay in the spool for the next process
    }
    if (runtime != null) {
      runtime.close();
    }
    if (kubernetes != null) {
      kubernetes.close();
    }
    if (liteEngines != null) {
      liteEngines.close();
    }
    if (endpoints != null) {
      endpoints.close();
    }
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
    registry.close();
  }

  /**
   * Scheduling and image pulls take longer than starting local processes: a build pod gets at least
   * {@link #KUBERNETES_READY_TIMEOUT}.
   */
  private Duration kubernetesReadyTimeout() {
    return config.podReadyTimeout().compareTo(KUBERNETES_READY_TIMEOUT) > 0 ? config.podReadyTimeout()
        : KUBERNETES_READY_TIMEOUT;
  }

  private static String version() {
    String v = Delegate.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  /** Breaks the construction cycle between the task runner and the connection. */
  private static final class ForwardingSender implements FrameSender {
    volatile FrameSender target;

    @Override
    public boolean send(Frame frame) {
      var t = target;
      return t != null && t.send(frame);
    }
  }
}
