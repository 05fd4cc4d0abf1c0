package io.dbops.agent.config;

import io.dbops.agent.policy.Allowlists;
import io.dbops.config.ConfigException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Configuration of the delegate, built once (usually from the environment, {@link
 * #fromEnvironment}) and immutable; build others with {@link #builder()} or {@link #toBuilder()}.
 * Unset settings take their defaults; every invalid setting is reported at once in one {@link
 * ConfigException}, naming its env var. {@link #toString} masks the token.
 *
 * @param serverUrl control plane base URL, http(s)://host[:port] ({@code DBOPS_SERVER_URL}, required;
 *     http:// only with {@link Tls#allowInsecure})
 * @param token delegate token ({@code DBOPS_TOKEN}, required); never logged
 * @param name delegate name ({@code DBOPS_DELEGATE_NAME}, default "local")
 * @param tags selectors this delegate satisfies ({@code DBOPS_TAGS}, comma list)
 * @param capacity most tasks run at once ({@code DBOPS_CAPACITY}, default 10)
 * @param runtime "local" or "kubernetes" ({@code DBOPS_RUNTIME}, default "local")
 * @param stateDir pod logs and the result outbox ({@code DBOPS_STATE_DIR}, default ./.dbops/delegate)
 * @param transport "websocket" or "long-poll" ({@code DBOPS_TRANSPORT}, default "websocket")
 * @param timings heartbeat, reconnect backoff, pod readiness and drain durations
 * @param tls CA bundle, client certificate and whether plain http is allowed
 * @param endpoints where /healthz, /readyz and /metrics listen
 * @param local settings of the local runtime (ignored by the kubernetes runtime)
 * @param kubernetes settings of the kubernetes runtime (ignored by the local runtime)
 * @param allowlists what pipelines may use: secret sources, hosts, git URLs, JDBC properties, H2 files
 */
public record DelegateConfig(
    URI serverUrl,
    String token,
    String name,
    List<String> tags,
    int capacity,
    String runtime,
    Path stateDir,
    String transport,
    Timings timings,
    Tls tls,
    Endpoints endpoints,
    LocalSettings local,
    KubernetesSettings kubernetes,
    Allowlists allowlists) {

  public static final String RUNTIME_LOCAL = "local";
  public static final String RUNTIME_KUBERNETES = "kubernetes";
  public static final String TRANSPORT_WEBSOCKET = "websocket";
  public static final String TRANSPORT_LONG_POLL = "long-poll";
  public static final int DEFAULT_CAPACITY = 10;
  public static final int DEFAULT_DRAIN_SECONDS = 60;
  /** Cap of the reconnect backoff ({@code DBOPS_RECONNECT_MAX_SECONDS}). */
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(60);
  public static final int DEFAULT_METRICS_PORT = 9090;
  static final Set<String> RUNTIMES = Set.of(RUNTIME_LOCAL, RUNTIME_KUBERNETES);
  static final Set<String> TRANSPORTS = Set.of(TRANSPORT_WEBSOCKET, TRANSPORT_LONG_POLL);

  /**
   * Durations of the delegate.
   *
   * @param heartbeatInterval heartbeat interval until the control plane's welcome says otherwise (15 s)
   * @param maxBackoff cap of the reconnect backoff ({@code DBOPS_RECONNECT_MAX_SECONDS}, default 60 s)
   * @param podReadyTimeout how long a pod may take to become ready (local: answer health checks; the
   *     kubernetes runtime gives its pods at least 5 minutes); default 60 s
   * @param drainGrace how long {@code Delegate.drain} lets running tasks finish ({@code
   *     DBOPS_DRAIN_SECONDS}, default 60 s; zero stops them at once)
   */
  public record Timings(Duration heartbeatInterval, Duration maxBackoff, Duration podReadyTimeout,
      Duration drainGrace) {
    public static final Timings DEFAULT = new Timings(null, null, null, null);

    public Timings {
      heartbeatInterval = heartbeatInterval == null ? Duration.ofSeconds(15) : heartbeatInterval;
      maxBackoff = maxBackoff == null ? DEFAULT_MAX_BACKOFF : maxBackoff;
      podReadyTimeout = podReadyTimeout == null ? Duration.ofSeconds(60) : podReadyTimeout;
      drainGrace = drainGrace == null ? Duration.ofSeconds(DEFAULT_DRAIN_SECONDS) : drainGrace;
    }

    List<String> problems() {
      List<String> problems = new ArrayList<>();
      if (heartbeatInterval.isZero() || heartbeatInterval.isNegative()) {
        problems.add("heartbeatInterval must be > 0, got " + heartbeatInterval);
      }
      if (maxBackoff.isZero() || maxBackoff.isNegative()) {
        problems.add("DBOPS_RECONNECT_MAX_SECONDS must be ≥ 1, got " + maxBackoff.toSeconds());
      }
      if (podReadyTimeout.isZero() || podReadyTimeout.isNegative()) {
        problems.add("podReadyTimeout must be > 0, got " + podReadyTimeout);
      }
      if (drainGrace.isNegative()) {
        problems.add("DBOPS_DRAIN_SECONDS must be ≥ 0, got " + drainGrace.toSeconds());
      }
      return problems;
    }
  }


  /**
   * Transport security.
   *
   * @param allowInsecure plain http/ws allowed ({@code DBOPS_ALLOW_INSECURE=true}); otherwise an
   *     http:// server URL is refused
   * @param caBundle PEM file of CA certificates trusted in addition to the system's ({@code
   *     DBOPS_CA_BUNDLE}), or null
   * @param clientCert PEM client certificate (chain) presented to the server ({@code
   *     DBOPS_CLIENT_CERT}), or null; needs {@code clientKey}
   * @param clientKey PEM PKCS#8 private key of {@code clientCert} ({@code DBOPS_CLIENT_KEY}), or null
   */
  public record Tls(boolean allowInsecure, Path caBundle, Path clientCert, Path clientKey) {
    /** System CAs, no client certificate, https only. */
    public static final Tls DEFAULT = new Tls(false, null, null, null);
    /** Plain http allowed; for loopback control planes and tests. */
    public static final Tls INSECURE = new Tls(true, null, null, null);

    List<String> problems() {
      List<String> problems = new ArrayList<>();
      checkFile(problems, "DBOPS_CA_BUNDLE", caBundle);
      checkFile(problems, "DBOPS_CLIENT_CERT", clientCert);
      checkFile(problems, "DBOPS_CLIENT_KEY", clientKey);
      if ((clientCert == null) != (clientKey == null)) {
        problems.add("DBOPS_CLIENT_CERT and DBOPS_CLIENT_KEY must be set together (a PEM certificate and its"
            + " PKCS#8 private key)");
      }
      return problems;
    }

    private static void checkFile(List<String> problems, String variable, Path file) {
      if (file != null && !Files.isReadable(file)) {
        problems.add(variable + " names a file that does not exist or is not readable: " + file);
      }
    }
  }

  /**
   * The delegate's HTTP endpoints (/healthz, /readyz, /metrics).
   *
   * @param bind address to bind ({@code DBOPS_METRICS_BIND}, default 0.0.0.0)
   * @param port port ({@code DBOPS_METRICS_PORT}, default 9090; 0 picks a free port)
   */
  public record Endpoints(String bind, int port) {
    public static final Endpoints DEFAULT = new Endpoints("0.0.0.0", DEFAULT_METRICS_PORT);

    /** Loopback, a free port: for tests and embedded delegates. */
    public static Endpoints loopbackFreePort() {
      return new Endpoints("127.0.0.1", 0);
    }

    public Endpoints {
      bind = bind == null || bind.isBlank() ? "0.0.0.0" : bind.trim();
    }
  }



  public DelegateConfig {
    name = name == null ? "local" : name;
    tags = tags == null ? List.of() : List.copyOf(tags);
    runtime = runtime == null ? RUNTIME_LOCAL : runtime;
    stateDir = stateDir == null ? Path.of(".dbops", "delegate") : stateDir;
    transport = transport == null ? TRANSPORT_WEBSOCKET : transport;
    timings = timings == null ? Timings.DEFAULT : timings;
    tls = tls == null ? Tls.DEFAULT : tls;
    endpoints = endpoints == null ? Endpoints.DEFAULT : endpoints;
    local = local == null ? LocalSettings.DEFAULT : local;
    kubernetes = kubernetes == null ? KubernetesSettings.DEFAULT : kubernetes;
    allowlists = allowlists == null ? Allowlists.NONE : allowlists;
    List<String> problems = problems(serverUrl, token, name, tags, capacity, runtime, transport, tls, endpoints);
    problems.addAll(kubernetes.problems());
    problems.addAll(timings.problems());
    if (local.maxPods() < 1) {
      problems.add("DBOPS_LOCAL_MAX_PODS must be ≥ 1, got " + local.maxPods());
    }
    if (local.warmPods() < 0) {
      problems.add("DBOPS_LOCAL_WARM_PODS must be ≥ 0 (0 = no warm pods), got " + local.warmPods());
    }
    if (local.podReuse().isNegative()) {
      problems.add("DBOPS_LOCAL_POD_REUSE_SECONDS must be ≥ 0 (0 = pods are never reused), got "
          + local.podReuse().toSeconds());
    }
    if (!problems.isEmpty()) {
      throw new ConfigException("delegate", problems);
    }
  }

  /** A builder with every default; {@code serverUrl} and {@code token} are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this config's settings. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.serverUrl = serverUrl;
    b.token = token;
    b.name = name;
    b.tags = tags;
    b.capacity = capacity;
    b.runtime = runtime;
    b.stateDir = stateDir;
    b.transport = transport;
    b.timings = timings;
    b.tls = tls;
    b.endpoints = endpoints;
    b.local = local;
    b.kubernetes = kubernetes;
    b.allowlists = allowlists;
    return b;
  }

  /** Builds a {@link DelegateConfig}; unset settings take their defaults. Not thread-safe. */
  public static final class Builder {
    private URI serverUrl;
    private String token;
    private String name;
    private List<String> tags;
    private int capacity = DEFAULT_CAPACITY;
    private String runtime;
    private Path stateDir;
    private String transport;
    private Timings timings = Timings.DEFAULT;
    Tls tls;
    private Endpoints endpoints;
    private LocalSettings local = LocalSettings.DEFAULT;
    private KubernetesSettings kubernetes;
    private Allowlists allowlists;

    private Builder() {}

    public Builder serverUrl(URI serverUrl) { this.serverUrl = serverUrl; return this; }

    public Builder serverUrl(String serverUrl) { return serverUrl(URI.create(serverUrl)); }

    public Builder token(String token) { this.token = token; return this; }

    public Builder name(String name) { this.name = name; return this; }

    public Builder tags(List<String> tags) { this.tags = tags; return this; }

    public Builder capacity(int capacity) { this.capacity = capacity; return this; }

    public Builder runtime(String runtime) { this.runtime = runtime; return this; }

    public Builder stateDir(Path stateDir) { this.stateDir = stateDir; return this; }

    /** {@link #TRANSPORT_WEBSOCKET} or {@link #TRANSPORT_LONG_POLL}. */
    public Builder transport(String transport) { this.transport = transport; return this; }

    public Builder timings(Timings timings) { this.timings = timings; return this; }

    public Builder heartbeatInterval(Duration interval) {
      timings = new Timings(interval, timings.maxBackoff(), timings.podReadyTimeout(), timings.drainGrace());
      return this;
    }

    public Builder maxBackoff(Duration maxBackoff) {
      timings = new Timings(timings.heartbeatInterval(), maxBackoff, timings.podReadyTimeout(), timings.drainGrace());
      return this;
    }

    public Builder podReadyTimeout(Duration timeout) {
      timings = new Timings(timings.heartbeatInterval(), timings.maxBackoff(), timeout, timings.drainGrace());
      return this;
    }

    public Builder drainGrace(Duration grace) {
      timings = new Timings(timings.heartbeatInterval(), timings.maxBackoff(), timings.podReadyTimeout(), grace);
      return this;
    }

    public Builder tls(Tls tls) { this.tls = tls; return this; }

    public Builder endpoints(Endpoints endpoints) { this.endpoints = endpoints; return this; }

    public Builder local(LocalSettings local) { this.local = local; return this; }

    /** The command that starts a pod container process (set by the CLI). */
    public Builder podProcessCommand(List<String> command) {
      local = local.withPodProcessCommand(command);
      return this;
    }

    public Builder kubernetes(KubernetesSettings kubernetes) { this.kubernetes = kubernetes; return this; }

    public Builder allowlists(Allowlists allowlists) { this.allowlists = allowlists; return this; }

    /** @throws ConfigException listing every invalid setting */
    public DelegateConfig build() {
      return new DelegateConfig(serverUrl, token, name, tags, capacity, runtime, stateDir, transport, timings, tls,
          endpoints, local, kubernetes, allowlists);
    }
  }

  /**
   * Reads the delegate's settings from its environment; see {@link DelegateEnvironment#read(Map)}.
   *
   * @throws ConfigException listing every invalid setting
   */
  public static DelegateConfig fromEnvironment(Map<String, String> env) {
    return DelegateEnvironment.read(env, KubernetesSettings.OWN_NAMESPACE_FILE);
  }

  /** {@link #fromEnvironment(Map)}, reading the delegate's own namespace from {@code ownNamespaceFile}. */
  public static DelegateConfig fromEnvironment(Map<String, String> env, Path ownNamespaceFile) {
    return DelegateEnvironment.read(env, ownNamespaceFile);
  }

  /** ws(s)://host:port/api/v1/delegates/connect, derived from {@link #serverUrl}. */
  public URI webSocketUrl() {
    String scheme = isHttps() ? "wss" : "ws";
    return URI.create(scheme + "://" + hostAndPort() + "/api/v1/delegates/connect");
  }

  /** http(s)://host:port/api/v1/delegates/poll/sessions: the long-poll transport's base. */
  public URI pollSessionsUrl() {
    return URI.create((isHttps() ? "https" : "http") + "://" + hostAndPort() + "/api/v1/delegates/poll/sessions");
  }

  /** The URL the chosen transport dials, for logs. */
  public URI transportUrl() {
    return TRANSPORT_LONG_POLL.equals(transport) ? pollSessionsUrl() : webSocketUrl();
  }

  /** Where results wait for their acknowledgement: {@code <stateDir>/outbox}. */
  public Path outboxDir() {
    return stateDir.resolve("outbox");
  }

  private boolean isHttps() {
    return "https".equalsIgnoreCase(serverUrl.getScheme());
  }

  private String hostAndPort() {
    int port = serverUrl.getPort();
    return serverUrl.getHost() + (port == -1 ? "" : ":" + port);
  }

  /** The command that starts a pod container process (the local runtime's). */
  public List<String> podProcessCommand() {
    return local.podProcessCommand();
  }

  public Duration heartbeatInterval() {
    return timings.heartbeatInterval();
  }

  public Duration maxBackoff() {
    return timings.maxBackoff();
  }

  public Duration podReadyTimeout() {
    return timings.podReadyTimeout();
  }

  public Duration drainGrace() {
    return timings.drainGrace();
  }

  @Override
  public String toString() {
    return "DelegateConfig[serverUrl=" + serverUrl + ", token=***, name=" + name + ", tags=" + tags
        + ", capacity=" + capacity + ", runtime=" + runtime + ", stateDir=" + stateDir + ", transport=" + transport
        + ", timings=" + timings + ", tls=" + tls + ", endpoints=" + endpoints + ", local=" + local
        + ", kubernetes=" + kubernetes + ", allowlists=" + allowlists + "]";
  }

  static List<String> problems(URI serverUrl, String token, String name, List<String> tags, int capacity,
      String runtime, String transport, Tls tls, Endpoints endpoints) {
    List<String> problems = new ArrayList<>();
    if (serverUrl == null) {
      problems.add("DBOPS_SERVER_URL is required: the control plane's URL, for example https://dbops.example.com");
    } else if (serverUrl.getScheme() == null
        || !Set.of("http", "https").contains(serverUrl.getScheme().toLowerCase(Locale.ROOT))
        || serverUrl.getHost() == null) {
      problems.add("DBOPS_SERVER_URL must be an http:// or https:// URL with a host, got '" + serverUrl + "'");
    } else if ("http".equalsIgnoreCase(serverUrl.getScheme()) && !tls.allowInsecure()) {
      problems.add("DBOPS_SERVER_URL is plain http (" + serverUrl + "): use https://, or set"
          + " DBOPS_ALLOW_INSECURE=true to allow an unencrypted connection");
    }
    if (token == null || token.isBlank()) {
      problems.add("DBOPS_TOKEN is required: the delegate token issued by the control plane");
    }
    if (name == null || name.isBlank()) {
      problems.add("DBOPS_DELEGATE_NAME must not be blank");
    }
    if (tags.stream().anyMatch(String::isBlank)) {
      problems.add("DBOPS_TAGS must not contain empty tags, got " + tags);
    }
    if (capacity < 1) {
      problems.add("DBOPS_CAPACITY must be ≥ 1, got " + capacity);
    }
    if (!RUNTIMES.contains(runtime)) {
      problems.add("DBOPS_RUNTIME must be 'local' or 'kubernetes', got '" + runtime + "'");
    }
    if (!TRANSPORTS.contains(transport)) {
      problems.add("DBOPS_TRANSPORT must be 'websocket' or 'long-poll', got '" + transport + "'");
    }
    if (endpoints.port() < 0 || endpoints.port() > 65535) {
      problems.add("DBOPS_METRICS_PORT must be a port number 0-65535 (0: any free port), got " + endpoints.port());
    }
    problems.addAll(tls.problems());
    return problems;
  }

}
