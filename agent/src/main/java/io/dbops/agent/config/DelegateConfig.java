package io.dbops.agent.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Configuration of the delegate, built once (usually from the environment) and immutable.
 * Null arguments take their defaults; every invalid setting is reported at once, naming its env
 * var. {@link #toString} masks the token.
 *
 * @param serverUrl control plane base URL, http(s)://host[:port] ({@code DBOPS_SERVER_URL}, required;
 *     http:// only with {@link Tls#allowInsecure})
 * @param token delegate token ({@code DBOPS_TOKEN}, required); never logged
 * @param name delegate name ({@code DBOPS_DELEGATE_NAME}, default "local")
 * @param tags selectors this delegate satisfies ({@code DBOPS_TAGS}, comma list)
 * @param capacity most tasks run at once ({@code DBOPS_CAPACITY}, default 10)
 * @param runtime "local" or "kubernetes" ({@code DBOPS_RUNTIME}, default "local")
 * @param stateDir pod logs and the result outbox ({@code DBOPS_STATE_DIR}, default ./.dbops/delegate)
 * @param podProcessCommand command prefix that starts one pod container process; the role
 *     ("lite-engine" or "step-runtime") is appended. No env var: the CLI sets it.
 * @param heartbeatInterval heartbeat interval until the control plane's welcome says otherwise
 * @param maxBackoff cap of the reconnect backoff
 * @param podReadyTimeout how long a pod may take to become ready (local: answer health checks; the kubernetes
 *     runtime gives its pods at least 5 minutes)
 * @param drainGrace how long {@code Delegate.drain} lets running tasks finish ({@code
 *     DBOPS_DRAIN_SECONDS}, default 60 s; zero stops them at once)
 * @param transport "websocket" or "long-poll" ({@code DBOPS_TRANSPORT}, default "websocket")
 * @param tls CA bundle, client certificate and whether plain http is allowed
 * @param endpoints where /healthz, /readyz and /metrics listen
 * @param kubernetes settings of the kubernetes runtime (ignored by the local runtime)
 */
public record DelegateConfig(
    URI serverUrl,
    String token,
    String name,
    List<String> tags,
    int capacity,
    String runtime,
    Path stateDir,
    List<String> podProcessCommand,
    Duration heartbeatInterval,
    Duration maxBackoff,
    Duration podReadyTimeout,
    Duration drainGrace,
    String transport,
    Tls tls,
    Endpoints endpoints,
    Kubernetes kubernetes) {

  public static final String RUNTIME_LOCAL = "local";
  public static final String RUNTIME_KUBERNETES = "kubernetes";
  public static final String TRANSPORT_WEBSOCKET = "websocket";
  public static final String TRANSPORT_LONG_POLL = "long-poll";
  public static final int DEFAULT_CAPACITY = 10;
  public static final int DEFAULT_DRAIN_SECONDS = 60;
  /** Cap of the reconnect backoff ({@code DBOPS_RECONNECT_MAX_SECONDS}). */
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(60);
  public static final int DEFAULT_METRICS_PORT = 9090;
  private static final Set<String> RUNTIMES = Set.of(RUNTIME_LOCAL, RUNTIME_KUBERNETES);
  private static final Set<String> TRANSPORTS = Set.of(TRANSPORT_WEBSOCKET, TRANSPORT_LONG_POLL);

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

  /**
   * Settings of the kubernetes runtime. Where the Kubernetes API is comes from the Fabric8 client's
   * usual sources (in-cluster service account, {@code KUBECONFIG}, {@code KUBERNETES_MASTER}).
   *
   * @param namespace namespace of build pods and their Secrets ({@code DBOPS_KUBERNETES_NAMESPACE};
   *     default: the delegate's own namespace, else "default")
   * @param podImage image of build pods whose task names none ({@code DBOPS_POD_IMAGE}), or null
   * @param serviceAccount service account of build pods whose task names none ({@code
   *     DBOPS_KUBERNETES_SERVICE_ACCOUNT}), or null for the namespace's default
   * @param stepSettings step runtime settings for the step containers of build pods: every {@code
   *     DBOPS_STEP_*} variable of the delegate but {@code DBOPS_STEP_PORT} (the pod's layout sets it),
   *     for example {@code DBOPS_STEP_DURABILITY}; the step runtime validates them
   */
  public record Kubernetes(String namespace, String podImage, String serviceAccount,
      Map<String, String> stepSettings) {
    /** The prefix of the step runtime's settings (step-runtime/README.md). */
    public static final String STEP_SETTING_PREFIX = "DBOPS_STEP_";
    /** Where a pod's service account token mount says which namespace the pod runs in. */
    public static final Path OWN_NAMESPACE_FILE = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");
    private static final java.util.regex.Pattern DNS_LABEL = java.util.regex.Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final java.util.regex.Pattern DNS_SUBDOMAIN =
        java.util.regex.Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");
    public static final Kubernetes DEFAULT = new Kubernetes(null, null, null);

    public Kubernetes(String namespace, String podImage, String serviceAccount) {
      this(namespace, podImage, serviceAccount, Map.of());
    }

    public Kubernetes {
      stepSettings = stepSettings == null ? Map.of() : Map.copyOf(stepSettings);
      namespace = namespace == null || namespace.isBlank() ? "default" : namespace.trim();
      podImage = blankToNull(podImage) == null ? null : podImage.trim();
      serviceAccount = blankToNull(serviceAccount) == null ? null : serviceAccount.trim();
    }

    /** The delegate's {@code DBOPS_STEP_*} variables that build pods' step containers get. */
    public static Map<String, String> stepSettings(Map<String, String> env) {
      Map<String, String> settings = new java.util.TreeMap<>();
      env.forEach((name, value) -> {
        if (name.startsWith(STEP_SETTING_PREFIX) && !name.equals("DBOPS_STEP_PORT") && value != null) {
          settings.put(name, value);
        }
      });
      return settings;
    }

    /** The namespace in {@code file} (a pod's service account mount), or null when there is none. */
    public static String ownNamespace(Path file) {
      try {
        return Files.isReadable(file) ? blankToNull(Files.readString(file).trim()) : null;
      } catch (java.io.IOException e) {
        return null;
      }
    }

    List<String> problems() {
      List<String> problems = new ArrayList<>();
      if (!DNS_LABEL.matcher(namespace).matches()) {
        problems.add("DBOPS_KUBERNETES_NAMESPACE must be a Kubernetes namespace name (lower-case letters, digits"
            + " and '-', at most 63), got '" + namespace + "'");
      }
      if (serviceAccount != null && !DNS_SUBDOMAIN.matcher(serviceAccount).matches()) {
        problems.add("DBOPS_KUBERNETES_SERVICE_ACCOUNT must be a service account name (lower-case letters,"
            + " digits, '-' and '.'), got '" + serviceAccount + "'");
      }
      if (podImage != null && podImage.chars().anyMatch(Character::isWhitespace)) {
        problems.add("DBOPS_POD_IMAGE must be an image reference without spaces, got '" + podImage + "'");
      }
      return problems;
    }
  }

  /** A config with the default kubernetes settings (the local runtime's callers). */
  public DelegateConfig(URI serverUrl, String token, String name, List<String> tags, int capacity, String runtime,
      Path stateDir, List<String> podProcessCommand, Duration heartbeatInterval, Duration maxBackoff,
      Duration podReadyTimeout, Duration drainGrace, String transport, Tls tls, Endpoints endpoints) {
    this(serverUrl, token, name, tags, capacity, runtime, stateDir, podProcessCommand, heartbeatInterval, maxBackoff,
        podReadyTimeout, drainGrace, transport, tls, endpoints, null);
  }

  public DelegateConfig {
    name = name == null ? "local" : name;
    tags = tags == null ? List.of() : List.copyOf(tags);
    runtime = runtime == null ? RUNTIME_LOCAL : runtime;
    stateDir = stateDir == null ? Path.of(".dbops", "delegate") : stateDir;
    podProcessCommand = podProcessCommand == null ? List.of() : List.copyOf(podProcessCommand);
    heartbeatInterval = heartbeatInterval == null ? Duration.ofSeconds(15) : heartbeatInterval;
    maxBackoff = maxBackoff == null ? DEFAULT_MAX_BACKOFF : maxBackoff;
    podReadyTimeout = podReadyTimeout == null ? Duration.ofSeconds(60) : podReadyTimeout;
    drainGrace = drainGrace == null ? Duration.ofSeconds(DEFAULT_DRAIN_SECONDS) : drainGrace;
    transport = transport == null ? TRANSPORT_WEBSOCKET : transport;
    tls = tls == null ? Tls.DEFAULT : tls;
    endpoints = endpoints == null ? Endpoints.DEFAULT : endpoints;
    kubernetes = kubernetes == null ? Kubernetes.DEFAULT : kubernetes;
    List<String> problems = problems(serverUrl, token, name, tags, capacity, runtime, transport, tls, endpoints);
    problems.addAll(kubernetes.problems());
    if (heartbeatInterval.isZero() || heartbeatInterval.isNegative()) {
      problems.add("heartbeatInterval must be > 0, got " + heartbeatInterval);
    }
    if (maxBackoff.isZero() || maxBackoff.isNegative()) {
      problems.add("maxBackoff must be > 0, got " + maxBackoff);
    }
    if (podReadyTimeout.isZero() || podReadyTimeout.isNegative()) {
      problems.add("podReadyTimeout must be > 0, got " + podReadyTimeout);
    }
    if (drainGrace.isNegative()) {
      problems.add("DBOPS_DRAIN_SECONDS must be ≥ 0, got " + drainGrace.toSeconds());
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
  }

  /**
   * Reads DBOPS_SERVER_URL, DBOPS_TOKEN, DBOPS_DELEGATE_NAME, DBOPS_TAGS, DBOPS_CAPACITY,
   * DBOPS_RUNTIME, DBOPS_STATE_DIR, DBOPS_DRAIN_SECONDS, DBOPS_TRANSPORT, DBOPS_ALLOW_INSECURE,
   * DBOPS_CA_BUNDLE, DBOPS_CLIENT_CERT, DBOPS_CLIENT_KEY, DBOPS_METRICS_PORT, DBOPS_METRICS_BIND and
   * DBOPS_RECONNECT_MAX_SECONDS (the cap of the reconnect backoff, default 60), and for the
   * kubernetes runtime DBOPS_KUBERNETES_NAMESPACE, DBOPS_POD_IMAGE and DBOPS_KUBERNETES_SERVICE_ACCOUNT.
   * The pod process command is left empty: set it with {@link #withPodProcessCommand}.
   */
  public static DelegateConfig fromEnvironment(Map<String, String> env) {
    return fromEnvironment(env, Kubernetes.OWN_NAMESPACE_FILE);
  }

  /**
   * {@link #fromEnvironment(Map)}, reading the delegate's own namespace (the default of
   * DBOPS_KUBERNETES_NAMESPACE) from {@code ownNamespaceFile}.
   */
  public static DelegateConfig fromEnvironment(Map<String, String> env, Path ownNamespaceFile) {
    List<String> problems = new ArrayList<>();
    URI serverUrl = null;
    String rawUrl = blankToNull(env.get("DBOPS_SERVER_URL"));
    boolean urlParsed = true;
    if (rawUrl != null) {
      try {
        serverUrl = new URI(rawUrl.trim());
      } catch (URISyntaxException e) {
        urlParsed = false;
        problems.add("DBOPS_SERVER_URL is not a valid URL: " + e.getMessage());
      }
    }
    int capacity = intSetting(env, "DBOPS_CAPACITY", DEFAULT_CAPACITY, "a whole number ≥ 1", problems);
    int drainSeconds = intSetting(env, "DBOPS_DRAIN_SECONDS", DEFAULT_DRAIN_SECONDS, "a whole number of seconds ≥ 0",
        problems);
    int metricsPort = intSetting(env, "DBOPS_METRICS_PORT", DEFAULT_METRICS_PORT, "a port number 0-65535 (0: any free port)",
        problems);
    int maxBackoffSeconds = intSetting(env, "DBOPS_RECONNECT_MAX_SECONDS", (int) DEFAULT_MAX_BACKOFF.toSeconds(),
        "a whole number of seconds ≥ 1", problems);
    if (maxBackoffSeconds < 1) {
      problems.add("DBOPS_RECONNECT_MAX_SECONDS must be ≥ 1, got " + maxBackoffSeconds);
    }
    String token = blankToNull(env.get("DBOPS_TOKEN"));
    String name = env.getOrDefault("DBOPS_DELEGATE_NAME", "local").trim();
    String runtime = env.getOrDefault("DBOPS_RUNTIME", RUNTIME_LOCAL).trim();
    String transport = env.getOrDefault("DBOPS_TRANSPORT", TRANSPORT_WEBSOCKET).trim().toLowerCase(Locale.ROOT);
    List<String> tags = parseTags(env.get("DBOPS_TAGS"));
    String stateDir = blankToNull(env.get("DBOPS_STATE_DIR"));
    Boolean allowInsecure = parseBoolean(env.get("DBOPS_ALLOW_INSECURE"));
    if (allowInsecure == null) {
      problems.add("DBOPS_ALLOW_INSECURE must be true or false, got '" + env.get("DBOPS_ALLOW_INSECURE") + "'");
      allowInsecure = false;
    }
    Tls tls = new Tls(allowInsecure, path(env.get("DBOPS_CA_BUNDLE")), path(env.get("DBOPS_CLIENT_CERT")),
        path(env.get("DBOPS_CLIENT_KEY")));
    Endpoints endpoints = new Endpoints(env.get("DBOPS_METRICS_BIND"), metricsPort);
    String namespace = blankToNull(env.get("DBOPS_KUBERNETES_NAMESPACE"));
    Kubernetes kubernetes = new Kubernetes(namespace != null ? namespace : Kubernetes.ownNamespace(ownNamespaceFile),
        env.get("DBOPS_POD_IMAGE"), env.get("DBOPS_KUBERNETES_SERVICE_ACCOUNT"), Kubernetes.stepSettings(env));
    problems.addAll(kubernetes.problems());

    List<String> parseProblems = List.copyOf(problems);
    for (String problem : problems(serverUrl, token, name, tags, capacity, runtime, transport, tls, endpoints)) {
      boolean duplicate = parseProblems.stream().anyMatch(p -> p.startsWith(problem.substring(0, problem.indexOf(' '))));
      if (!(problem.startsWith("DBOPS_SERVER_URL") && !urlParsed) && !duplicate) {
        problems.add(problem);
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new DelegateConfig(serverUrl, token, name, tags, capacity, runtime,
        stateDir == null ? null : Path.of(stateDir), null, null,
        Duration.ofSeconds(Math.max(1, maxBackoffSeconds)), null,
        Duration.ofSeconds(drainSeconds), transport, tls, endpoints, kubernetes);
  }

  /** This config with the command that starts a pod container process (set by the CLI). */
  public DelegateConfig withPodProcessCommand(List<String> command) {
    return new DelegateConfig(serverUrl, token, name, tags, capacity, runtime, stateDir, command,
        heartbeatInterval, maxBackoff, podReadyTimeout, drainGrace, transport, tls, endpoints, kubernetes);
  }

  /** This config with other timings; for tests and embedding. */
  public DelegateConfig withTimings(Duration heartbeatInterval, Duration maxBackoff, Duration podReadyTimeout) {
    return new DelegateConfig(serverUrl, token, name, tags, capacity, runtime, stateDir, podProcessCommand,
        heartbeatInterval, maxBackoff, podReadyTimeout, drainGrace, transport, tls, endpoints, kubernetes);
  }

  /** This config with another drain grace period. */
  public DelegateConfig withDrainGrace(Duration drainGrace) {
    return new DelegateConfig(serverUrl, token, name, tags, capacity, runtime, stateDir, podProcessCommand,
        heartbeatInterval, maxBackoff, podReadyTimeout, drainGrace, transport, tls, endpoints, kubernetes);
  }

  /** This config with another transport ({@link #TRANSPORT_WEBSOCKET} or {@link #TRANSPORT_LONG_POLL}). */
  public DelegateConfig withTransport(String transport) {
    return new DelegateConfig(serverUrl, token, name, tags, capacity, runtime, stateDir, podProcessCommand,
        heartbeatInterval, maxBackoff, podReadyTimeout, drainGrace, transport, tls, endpoints, kubernetes);
  }

  /** This config with other TLS settings. */
  public DelegateConfig withTls(Tls tls) {
    return new DelegateConfig(serverUrl, token, name, tags, capacity, runtime, stateDir, podProcessCommand,
        heartbeatInterval, maxBackoff, podReadyTimeout, drainGrace, transport, tls, endpoints, kubernetes);
  }

  /** This config with the endpoints elsewhere (for example {@link Endpoints#loopbackFreePort()}). */
  public DelegateConfig withEndpoints(Endpoints endpoints) {
    return new DelegateConfig(serverUrl, token, name, tags, capacity, runtime, stateDir, podProcessCommand,
        heartbeatInterval, maxBackoff, podReadyTimeout, drainGrace, transport, tls, endpoints, kubernetes);
  }

  /** This config with other kubernetes runtime settings. */
  public DelegateConfig withKubernetes(Kubernetes kubernetes) {
    return new DelegateConfig(serverUrl, token, name, tags, capacity, runtime, stateDir, podProcessCommand,
        heartbeatInterval, maxBackoff, podReadyTimeout, drainGrace, transport, tls, endpoints, kubernetes);
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

  @Override
  public String toString() {
    return "DelegateConfig[serverUrl=" + serverUrl + ", token=***, name=" + name + ", tags=" + tags
        + ", capacity=" + capacity + ", runtime=" + runtime + ", stateDir=" + stateDir
        + ", podProcessCommand=" + podProcessCommand + ", heartbeatInterval=" + heartbeatInterval
        + ", maxBackoff=" + maxBackoff + ", podReadyTimeout=" + podReadyTimeout + ", drainGrace=" + drainGrace
        + ", transport=" + transport + ", tls=" + tls + ", endpoints=" + endpoints + ", kubernetes=" + kubernetes
        + "]";
  }

  private static List<String> problems(URI serverUrl, String token, String name, List<String> tags, int capacity,
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

  private static int intSetting(Map<String, String> env, String variable, int defaultValue, String expected,
      List<String> problems) {
    String raw = blankToNull(env.get(variable));
    if (raw == null) {
      return defaultValue;
    }
    try {
      return Integer.parseInt(raw.trim());
    } catch (NumberFormatException e) {
      problems.add(variable + " must be " + expected + ", got '" + raw + "'");
      return defaultValue;
    }
  }

  /** null when the value is neither true nor false. */
  private static Boolean parseBoolean(String raw) {
    if (raw == null || raw.isBlank()) {
      return false;
    }
    return switch (raw.trim().toLowerCase(Locale.ROOT)) {
      case "true", "yes", "1" -> true;
      case "false", "no", "0" -> false;
      default -> null;
    };
  }

  private static Path path(String raw) {
    return raw == null || raw.isBlank() ? null : Path.of(raw.trim());
  }

  private static List<String> parseTags(String raw) {
    if (raw == null || raw.isBlank()) {
      return List.of();
    }
    return Arrays.stream(raw.split(",")).map(String::trim).filter(t -> !t.isEmpty()).toList();
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
