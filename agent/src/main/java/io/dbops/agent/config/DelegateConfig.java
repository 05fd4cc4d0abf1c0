package io.dbops.agent.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Configuration of the delegate, built once (usually from the environment) and immutable.
 * Null arguments take their defaults; every invalid setting is reported at once, naming its env
 * var. {@link #toString} masks the token.
 *
 * @param serverUrl control plane base URL, http(s)://host[:port] ({@code DBOPS_SERVER_URL}, required)
 * @param token delegate token ({@code DBOPS_TOKEN}, required); never logged
 * @param name delegate name ({@code DBOPS_DELEGATE_NAME}, default "local")
 * @param tags selectors this delegate satisfies ({@code DBOPS_TAGS}, comma list)
 * @param capacity most tasks run at once ({@code DBOPS_CAPACITY}, default 10)
 * @param runtime "local" or "kubernetes" ({@code DBOPS_RUNTIME}, default "local")
 * @param stateDir working directory for pod logs ({@code DBOPS_STATE_DIR}, default ./.dbops/delegate)
 * @param podProcessCommand command prefix that starts one pod container process; the role
 *     ("lite-engine" or "step-runtime") is appended. No env var: the CLI sets it.
 * @param heartbeatInterval heartbeat interval until the control plane's welcome says otherwise
 * @param maxBackoff cap of the reconnect backoff
 * @param podReadyTimeout how long a local pod may take to answer health checks
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
    Duration podReadyTimeout) {

  public static final String RUNTIME_LOCAL = "local";
  public static final String RUNTIME_KUBERNETES = "kubernetes";
  public static final int DEFAULT_CAPACITY = 10;
  private static final Set<String> RUNTIMES = Set.of(RUNTIME_LOCAL, RUNTIME_KUBERNETES);

  public DelegateConfig {
    name = name == null ? "local" : name;
    tags = tags == null ? List.of() : List.copyOf(tags);
    runtime = runtime == null ? RUNTIME_LOCAL : runtime;
    stateDir = stateDir == null ? Path.of(".dbops", "delegate") : stateDir;
    podProcessCommand = podProcessCommand == null ? List.of() : List.copyOf(podProcessCommand);
    heartbeatInterval = heartbeatInterval == null ? Duration.ofSeconds(15) : heartbeatInterval;
    maxBackoff = maxBackoff == null ? Duration.ofSeconds(60) : maxBackoff;
    podReadyTimeout = podReadyTimeout == null ? Duration.ofSeconds(60) : podReadyTimeout;
    List<String> problems = problems(serverUrl, token, name, tags, capacity, runtime);
    if (heartbeatInterval.isZero() || heartbeatInterval.isNegative()) {
      problems.add("heartbeatInterval must be > 0, got " + heartbeatInterval);
    }
    if (maxBackoff.isZero() || maxBackoff.isNegative()) {
      problems.add("maxBackoff must be > 0, got " + maxBackoff);
    }
    if (podReadyTimeout.isZero() || podReadyTimeout.isNegative()) {
      problems.add("podReadyTimeout must be > 0, got " + podReadyTimeout);
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
  }

  /**
   * Reads DBOPS_SERVER_URL, DBOPS_TOKEN, DBOPS_DELEGATE_NAME, DBOPS_TAGS, DBOPS_CAPACITY,
   * DBOPS_RUNTIME and DBOPS_STATE_DIR. The pod process command is left empty: set it with {@link
   * #withPodProcessCommand}.
   */
  public static DelegateConfig fromEnvironment(Map<String, String> env) {
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
    int capacity = DEFAULT_CAPACITY;
    String rawCapacity = blankToNull(env.get("DBOPS_CAPACITY"));
    if (rawCapacity != null) {
      try {
        capacity = Integer.parseInt(rawCapacity.trim());
      } catch (NumberFormatException e) {
        problems.add("DBOPS_CAPACITY must be a whole number ≥ 1, got '" + rawCapacity + "'");
      }
    }
    String token = blankToNull(env.get("DBOPS_TOKEN"));
    String name = env.getOrDefault("DBOPS_DELEGATE_NAME", "local").trim();
    String runtime = env.getOrDefault("DBOPS_RUNTIME", RUNTIME_LOCAL).trim();
    List<String> tags = parseTags(env.get("DBOPS_TAGS"));
    String stateDir = blankToNull(env.get("DBOPS_STATE_DIR"));

    for (String problem : problems(serverUrl, token, name, tags, capacity, runtime)) {
      if (!(problem.startsWith("DBOPS_SERVER_URL") && !urlParsed)) {
        problems.add(problem);
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new DelegateConfig(serverUrl, token, name, tags, capacity, runtime,
        stateDir == null ? null : Path.of(stateDir), null, null, null, null);
  }

  /** This config with the command that starts a pod container process (set by the CLI). */
  public DelegateConfig withPodProcessCommand(List<String> command) {
    return new DelegateConfig(serverUrl, token, name, tags, capacity, runtime, stateDir, command,
        heartbeatInterval, maxBackoff, podReadyTimeout);
  }

  /** This config with other timings; for tests and embedding. */
  public DelegateConfig withTimings(Duration heartbeatInterval, Duration maxBackoff, Duration podReadyTimeout) {
    return new DelegateConfig(serverUrl, token, name, tags, capacity, runtime, stateDir, podProcessCommand,
        heartbeatInterval, maxBackoff, podReadyTimeout);
  }

  /** ws(s)://host:port/api/v1/delegates/connect, derived from {@link #serverUrl}. */
  public URI webSocketUrl() {
    String scheme = "https".equalsIgnoreCase(serverUrl.getScheme()) ? "wss" : "ws";
    int port = serverUrl.getPort();
    return URI.create(scheme + "://" + serverUrl.getHost() + (port == -1 ? "" : ":" + port)
        + "/api/v1/delegates/connect");
  }

  @Override
  public String toString() {
    return "DelegateConfig[serverUrl=" + serverUrl + ", token=***, name=" + name + ", tags=" + tags
        + ", capacity=" + capacity + ", runtime=" + runtime + ", stateDir=" + stateDir
        + ", podProcessCommand=" + podProcessCommand + ", heartbeatInterval=" + heartbeatInterval
        + ", maxBackoff=" + maxBackoff + ", podReadyTimeout=" + podReadyTimeout + "]";
  }

  private static List<String> problems(
      URI serverUrl, String token, String name, List<String> tags, int capacity, String runtime) {
    List<String> problems = new ArrayList<>();
    if (serverUrl == null) {
      problems.add("DBOPS_SERVER_URL is required: the control plane's URL, for example https://dbops.example.com");
    } else if (serverUrl.getScheme() == null
        || !Set.of("http", "https").contains(serverUrl.getScheme().toLowerCase())
        || serverUrl.getHost() == null) {
      problems.add("DBOPS_SERVER_URL must be an http:// or https:// URL with a host, got '" + serverUrl + "'");
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
    return problems;
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
