package io.dbops.agent;

import io.dbops.agent.config.ConfigException;
import io.dbops.agent.config.DelegateConfig;
import io.dbops.agent.connection.ControlPlaneConnection;
import io.dbops.agent.runtime.PodRuntime;
import io.dbops.agent.runtime.local.LocalPodRuntime;
import io.dbops.support.GrpcChannels;
import io.dbops.agent.task.TaskHandlers;
import io.dbops.agent.task.TaskRunner;
import io.dbops.protocol.Frame;
import io.dbops.protocol.FrameCodec;
import io.dbops.protocol.TaskTypes;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delegate: keeps a WebSocket session with the control plane, claims tasks up to its capacity
 * and runs them (build pods through a {@link PodRuntime}, steps through the pod's lite engine).
 *
 * <p>Lifecycle: the constructor validates and stores; {@link #start} connects in the background
 * and returns at once; {@link #close} (idempotent, safe from a shutdown hook) stops claiming,
 * interrupts running tasks (waiting up to 10 s), closes the socket, stops every pod it started and
 * releases its threads, channels and HTTP client, in that order. Thread-safe.
 */
public final class Delegate implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Delegate.class);

  private final DelegateConfig config;
  private final Function<String, String> delegateEnv;
  private final String instanceId = UUID.randomUUID().toString();
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile OkHttpClient http;
  private volatile PodRuntime runtime;
  private volatile GrpcChannels liteEngines;
  private volatile TaskRunner tasks;
  private volatile ControlPlaneConnection connection;

  /** A delegate reading {@code env:VAR} secrets from this process's environment. */
  public Delegate(DelegateConfig config) {
    this(config, System::getenv);
  }

  /**
   * @param delegateEnv resolves the delegate's environment variables for {@code env:VAR} secrets
   * @throws ConfigException when the configured runtime cannot run in this build
   */
  public Delegate(DelegateConfig config, Function<String, String> delegateEnv) {
    if (DelegateConfig.RUNTIME_KUBERNETES.equals(config.runtime())) {
      throw new ConfigException(List.of(
          "The kubernetes runtime is not available in this build yet; use --runtime local (DBOPS_RUNTIME=local)"));
    }
    this.config = config;
    this.delegateEnv = delegateEnv;
  }

  /** Starts connecting in the background. Call once. */
  public void start() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("Delegate already started");
    }
    http = new OkHttpClient.Builder()
        .connectTimeout(Duration.ofSeconds(10))
        .writeTimeout(Duration.ofSeconds(10))
        // the session's own heartbeats detect a dead peer; an idle socket is normal
        .readTimeout(Duration.ZERO)
        .build();
    runtime = new LocalPodRuntime(
        config.podProcessCommand(), config.stateDir(), config.podReadyTimeout(), delegateEnv);
    liteEngines = new GrpcChannels("lite engine");
    Frame.Hello hello = new Frame.Hello(Frame.PROTOCOL_VERSION, config.name(), instanceId, version(),
        config.tags(), config.capacity(), TaskTypes.ALL);
    // The runner sends through the connection and the connection delivers to the runner.
    ForwardingSender sender = new ForwardingSender();
    tasks = new TaskRunner(config.capacity(), TaskHandlers.standard(runtime, liteEngines), sender);
    connection = new ControlPlaneConnection(config, http, new FrameCodec(), hello, tasks);
    sender.target = connection;
    tasks.start();
    connection.start();
    log.info("Delegate {} (instance {}, version {}) connecting to {} with capacity {} and tags {}",
        config.name(), instanceId, hello.version(), config.webSocketUrl(), config.capacity(), config.tags());
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
    if (runtime != null) {
      runtime.close();
    }
    if (liteEngines != null) {
      liteEngines.close();
    }
    if (http != null) {
      http.dispatcher().executorService().shutdown();
      http.connectionPool().evictAll();
    }
  }

  private static String version() {
    String v = Delegate.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  /** Breaks the construction cycle between the task runner and the connection. */
  private static final class ForwardingSender implements io.dbops.agent.connection.FrameSender {
    volatile io.dbops.agent.connection.FrameSender target;

    @Override
    public boolean send(Frame frame) {
      var t = target;
      return t != null && t.send(frame);
    }
  }
}
