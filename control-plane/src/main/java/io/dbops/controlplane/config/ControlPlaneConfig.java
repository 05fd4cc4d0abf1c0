package io.dbops.controlplane.config;

import io.dbops.config.ConfigException;
import io.dbops.config.EnvReader;
import io.dbops.config.Problems;
import io.dbops.controlplane.executions.PauseSettings;
import io.dbops.controlplane.http.ServerLimits;
import io.dbops.controlplane.logs.LogSettings;
import io.dbops.controlplane.secrets.MasterKeySettings;
import io.dbops.controlplane.tls.TlsSettings;
import io.dbops.pipeline.PipelineLimits;
import io.dbops.support.Secrets;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Settings of the control plane, immutable and validated once (every problem at once, as a
 * {@link ConfigException} for "control plane"). Build one with {@link #builder()} or read it
 * with {@link #fromEnvironment}; control-plane/README.md lists every variable.
 *
 * @param bindAddress address the HTTP server listens on ({@code DBOPS_SERVER_BIND}, default 127.0.0.1)
 * @param port HTTP port ({@code DBOPS_SERVER_PORT}, default 8080; 0 picks a free port)
 * @param dataDir directory of the embedded database and of {@code admin.token}
 *     ({@code DBOPS_DATA_DIR}, default ./.dbops/server)
 * @param dbUrl JDBC URL of the database ({@code DBOPS_DB_URL}); null means an H2 file in dataDir
 * @param dbUser database user ({@code DBOPS_DB_USER}); may be null
 * @param dbPassword database password ({@code DBOPS_DB_PASSWORD}); may be null; never logged
 * @param publicUrl base URL lite engines use to reach the log service ({@code DBOPS_PUBLIC_URL});
 *     null means derived from the bind address and the actual port
 * @param defaultImage image of build pods, for example {@code dbops/dbops:0.1.0}
 * @param heartbeatIntervalSeconds ({@code DBOPS_HEARTBEAT_SECONDS}, default 15)
 * @param leaseSeconds lease of an assigned task ({@code DBOPS_LEASE_SECONDS}, default 60)
 * @param dispatchDeadlineSeconds how long a queued task may have no eligible delegate before it
 *     fails ({@code DBOPS_DISPATCH_DEADLINE_SECONDS}, default 120)
 * @param stageWaitForDelegateSeconds how long a stage waits for a delegate that can take it
 *     once every connected delegate declined it or none is connected (announced at once); 0 fails
 *     the stage at once ({@code DBOPS_STAGE_WAIT_FOR_DELEGATE_SECONDS}, default 30)
 * @param sweepPeriodMillis ({@code DBOPS_SWEEP_MILLIS}, default 1000)
 * @param dispatchScanMillis ({@code DBOPS_DISPATCH_SCAN_MILLIS}, default 500)
 * @param logs the log service's settings
 * @param masterKeys the secret store's master keys (docs/secrets.md)
 * @param metrics where {@code /metrics} is open ({@code DBOPS_METRICS_PORT},
 *     {@code DBOPS_METRICS_OPEN})
 * @param auth the slow-down of repeated authentication failures ({@code DBOPS_AUTH_FAILURE_LIMIT})
 * @param limits the HTTP server's threads, idle timeout and minimum body rate ({@code DBOPS_HTTP_*})
 * @param tls the certificate the API is served with ({@code DBOPS_TLS_CERT}, {@code DBOPS_TLS_KEY});
 *     plain HTTP beyond loopback only with {@code DBOPS_ALLOW_INSECURE=true}
 * @param pipelineLimits ceilings on a submitted pipeline ({@code DBOPS_MAX_STAGES}, {@code DBOPS_MAX_STEPS})
 * @param pause how long a stage with {@code onFailure: pause} waits ({@code DBOPS_PAUSE_TIMEOUT_SECONDS})
 * @param consoleAuth console sessions and OIDC sign-in ({@code DBOPS_CONSOLE_SESSION_*},
 *     {@code DBOPS_OIDC_*}; docs/console-auth.md)
 */
public record ControlPlaneConfig(
    String bindAddress,
    int port,
    Path dataDir,
    String dbUrl,
    String dbUser,
    String dbPassword,
    String publicUrl,
    String defaultImage,
    int heartbeatIntervalSeconds,
    int leaseSeconds,
    int dispatchDeadlineSeconds,
    int stageWaitForDelegateSeconds,
    long sweepPeriodMillis,
    long dispatchScanMillis,
    LogSettings logs,
    MasterKeySettings masterKeys,
    MetricsSettings metrics,
    AuthSettings auth,
    ServerLimits limits,
    TlsSettings tls,
    PipelineLimits pipelineLimits,
    PauseSettings pause,
    ConsoleAuthSettings consoleAuth) {

  static final String COMPONENT = "control plane";
  public static final String DEFAULT_BIND = "127.0.0.1";
  public static final int DEFAULT_PORT = 8080;
  public static final Path DEFAULT_DATA_DIR = Path.of(".dbops", "server");
  public static final String DEFAULT_IMAGE = "dbops/dbops:0.1.0";
  public static final int DEFAULT_HEARTBEAT_SECONDS = 15;
  public static final int DEFAULT_LEASE_SECONDS = 60;
  public static final int DEFAULT_DISPATCH_DEADLINE_SECONDS = 120;
  public static final int DEFAULT_STAGE_WAIT_FOR_DELEGATE_SECONDS = 30;
  public static final long DEFAULT_SWEEP_MILLIS = 1000;
  public static final long DEFAULT_DISPATCH_SCAN_MILLIS = 500;

  public ControlPlaneConfig {
    logs = logs == null ? LogSettings.DEFAULT : logs;
    masterKeys = masterKeys == null ? MasterKeySettings.GENERATED : masterKeys;
    metrics = metrics == null ? MetricsSettings.DEFAULT : metrics;
    auth = auth == null ? AuthSettings.DEFAULT : auth;
    limits = limits == null ? ServerLimits.DEFAULTS : limits;
    tls = tls == null ? TlsSettings.none() : tls;
    pipelineLimits = pipelineLimits == null ? PipelineLimits.DEFAULTS : pipelineLimits;
    pause = pause == null ? PauseSettings.DEFAULT : pause;
    consoleAuth = consoleAuth == null ? ConsoleAuthSettings.DEFAULT : consoleAuth;
    Problems problems = new Problems();
    problems.require(bindAddress != null && !bindAddress.isBlank(),
        "DBOPS_SERVER_BIND must not be empty (for example 127.0.0.1 or 0.0.0.0)");
    problems.require(port >= 0 && port <= 65535,
        "DBOPS_SERVER_PORT must be between 0 and 65535 (0 picks a free port), not " + port);
    problems.require(dataDir != null, "DBOPS_DATA_DIR must not be empty");
    problems.require(dbUrl == null || dbUrl.startsWith("jdbc:"), "DBOPS_DB_URL must be a JDBC URL"
        + " starting with 'jdbc:' (for example jdbc:postgresql://db:5432/dbops)");
    problems.require(publicUrl == null || publicUrl.startsWith("http://")
        || publicUrl.startsWith("https://"), "DBOPS_PUBLIC_URL must start with http:// or https://,"
        + " not '" + publicUrl + "'");
    problems.require(defaultImage != null && !defaultImage.isBlank(),
        "defaultImage (the build pod image) must not be empty");
    problems.require(heartbeatIntervalSeconds >= 1,
        "DBOPS_HEARTBEAT_SECONDS must be at least 1, not " + heartbeatIntervalSeconds);
    problems.require(leaseSeconds >= 1, "DBOPS_LEASE_SECONDS must be at least 1, not " + leaseSeconds);
    problems.require(dispatchDeadlineSeconds >= 1,
        "DBOPS_DISPATCH_DEADLINE_SECONDS must be at least 1, not " + dispatchDeadlineSeconds);
    problems.require(stageWaitForDelegateSeconds >= 0,
        "DBOPS_STAGE_WAIT_FOR_DELEGATE_SECONDS must be at least 0 (0 fails a stage no delegate can"
            + " take at once), not " + stageWaitForDelegateSeconds);
    problems.require(sweepPeriodMillis >= 10,
        "DBOPS_SWEEP_MILLIS must be at least 10, not " + sweepPeriodMillis);
    problems.require(dispatchScanMillis >= 10,
        "DBOPS_DISPATCH_SCAN_MILLIS must be at least 10, not " + dispatchScanMillis);
    problems.require(metrics.port() == null || (metrics.port() >= 0 && metrics.port() <= 65535),
        "DBOPS_METRICS_PORT must be between 0 and 65535, not " + metrics.port());
    problems.require(metrics.port() == null || metrics.port() == 0 || metrics.port() != port,
        "DBOPS_METRICS_PORT must differ from DBOPS_SERVER_PORT (" + port + ")");
    problems.require(auth.failureLimit() >= 1, "DBOPS_AUTH_FAILURE_LIMIT must be at least 1, not "
        + auth.failureLimit());
    problems.require(!auth.failureWindow().isNegative() && !auth.failureWindow().isZero(),
        "the authentication failure window must be positive");
    problems.throwIfAny(COMPONENT);
    if (publicUrl != null && publicUrl.endsWith("/")) {
      publicUrl = publicUrl.substring(0, publicUrl.length() - 1);
    }
  }

  /** A builder with every setting at its default. */
  public static Builder builder() {
    return new Builder();
  }

  /** Every setting at its default. */
  public static ControlPlaneConfig defaults() {
    return builder().build();
  }

  /** A builder holding this config's settings. */
  public Builder toBuilder() {
    return new Builder().bindAddress(bindAddress).port(port).dataDir(dataDir)
        .database(dbUrl, dbUser, dbPassword).publicUrl(publicUrl).defaultImage(defaultImage)
        .heartbeatIntervalSeconds(heartbeatIntervalSeconds).leaseSeconds(leaseSeconds)
        .dispatchDeadlineSeconds(dispatchDeadlineSeconds)
        .stageWaitForDelegateSeconds(stageWaitForDelegateSeconds).periods(sweepPeriodMillis,
            dispatchScanMillis).logs(logs).masterKeys(masterKeys).metrics(metrics).auth(auth)
        .limits(limits).tls(tls).pipelineLimits(pipelineLimits).pause(pause).consoleAuth(consoleAuth);
  }

  /**
   * Reads every variable of control-plane/README.md ("Settings"); unset or blank variables keep
   * their defaults.
   *
   * @throws ConfigException naming every invalid variable (never a key or password)
   */
  public static ControlPlaneConfig fromEnvironment(Map<String, String> env) {
    Problems problems = new Problems();
    EnvReader r = new EnvReader(env, problems);
    Builder b = builder()
        .bindAddress(r.string("DBOPS_SERVER_BIND", DEFAULT_BIND))
        .port(r.integer("DBOPS_SERVER_PORT", DEFAULT_PORT, 0, 65535))
        .dataDir(r.path("DBOPS_DATA_DIR", DEFAULT_DATA_DIR))
        .database(r.string("DBOPS_DB_URL"), r.string("DBOPS_DB_USER"), r.raw("DBOPS_DB_PASSWORD"))
        .heartbeatIntervalSeconds(r.integer("DBOPS_HEARTBEAT_SECONDS", DEFAULT_HEARTBEAT_SECONDS, 1,
            3600))
        .leaseSeconds(r.integer("DBOPS_LEASE_SECONDS", DEFAULT_LEASE_SECONDS, 1, 86_400))
        .dispatchDeadlineSeconds(r.integer("DBOPS_DISPATCH_DEADLINE_SECONDS",
            DEFAULT_DISPATCH_DEADLINE_SECONDS, 1, 86_400))
        .stageWaitForDelegateSeconds(r.integer("DBOPS_STAGE_WAIT_FOR_DELEGATE_SECONDS",
            DEFAULT_STAGE_WAIT_FOR_DELEGATE_SECONDS, 0, 86_400))
        .periods(r.number("DBOPS_SWEEP_MILLIS", DEFAULT_SWEEP_MILLIS, 10, 3_600_000),
            r.number("DBOPS_DISPATCH_SCAN_MILLIS", DEFAULT_DISPATCH_SCAN_MILLIS, 10, 3_600_000))
        .metrics(new MetricsSettings(r.isSet("DBOPS_METRICS_PORT")
            ? r.integer("DBOPS_METRICS_PORT", 0, 0, 65535) : null,
            r.bool("DBOPS_METRICS_OPEN", false)))
        .auth(new AuthSettings(r.integer("DBOPS_AUTH_FAILURE_LIMIT",
            AuthSettings.DEFAULT.failureLimit(), 1, 1_000_000), AuthSettings.DEFAULT.failureWindow()));
    b.limits(ServerLimits.fromEnvironment(r)).tls(TlsSettings.fromEnvironment(r))
        .pipelineLimits(PipelineLimits.fromEnvironment(r)).pause(PauseSettings.fromEnvironment(r))
        .consoleAuth(ConsoleAuthSettings.fromEnvironment(r));
    URI publicUrl = r.uri("DBOPS_PUBLIC_URL", null, Set.of("http", "https"));
    b.publicUrl(publicUrl == null ? null : publicUrl.toString());
    if (r.string("DBOPS_DB_URL") != null && !r.string("DBOPS_DB_URL").startsWith("jdbc:")) {
      problems.add("DBOPS_DB_URL must be a JDBC URL starting with 'jdbc:' (for example"
          + " jdbc:postgresql://db:5432/dbops)");
      b.database(null, null, null);
    }
    try {
      b.logs(LogSettings.fromEnvironment(env));
    } catch (ConfigException e) {
      problems.addAll(e);
    }
    List<String> keyProblems = new ArrayList<>();
    b.masterKeys(MasterKeySettings.fromEnvironment(env, keyProblems));
    keyProblems.forEach(problems::add);
    try {
      ControlPlaneConfig config = b.build(); // invalid variables were replaced by their defaults
      problems.throwIfAny(COMPONENT);
      return config;
    } catch (ConfigException e) {
      problems.addAll(e); // the record's own checks, with every problem read above
      problems.throwIfAny(COMPONENT);
      throw e;
    }
  }

  /** The JDBC URL actually used: {@link #dbUrl} or the H2 file in {@link #dataDir}. */
  public String effectiveDbUrl() {
    if (dbUrl != null) {
      return dbUrl;
    }
    return "jdbc:h2:file:" + dataDir.toAbsolutePath().normalize().resolve("controlplane");
  }

  @Override
  public String toString() {
    return "ControlPlaneConfig[bindAddress=" + bindAddress + ", port=" + port + ", dataDir=" + dataDir
        + ", dbUrl=" + Secrets.maskUrl(dbUrl) + ", dbUser=" + dbUser
        + ", dbPassword=" + (dbPassword == null ? "null" : Secrets.MASK)
        + ", publicUrl=" + publicUrl + ", defaultImage=" + defaultImage
        + ", heartbeatIntervalSeconds=" + heartbeatIntervalSeconds + ", leaseSeconds=" + leaseSeconds
        + ", dispatchDeadlineSeconds=" + dispatchDeadlineSeconds
        + ", stageWaitForDelegateSeconds=" + stageWaitForDelegateSeconds + ", sweepPeriodMillis="
        + sweepPeriodMillis + ", dispatchScanMillis=" + dispatchScanMillis + ", logs=" + logs
        + ", masterKeys=" + masterKeys + ", metrics=" + metrics + ", auth=" + auth + ", limits=" + limits
        + ", tls=" + tls + ", pipelineLimits=" + pipelineLimits + ", pause=" + pause + ", consoleAuth=" + consoleAuth + "]";
  }

  /** Builds a {@link ControlPlaneConfig}; starts from the defaults. Not thread-safe. */
  public static final class Builder {
    private String bindAddress = DEFAULT_BIND;
    private int port = DEFAULT_PORT;
    private Path dataDir = DEFAULT_DATA_DIR;
    private String dbUrl;
    private String dbUser;
    private String dbPassword;
    private String publicUrl;
    private String defaultImage = DEFAULT_IMAGE;
    private int heartbeatIntervalSeconds = DEFAULT_HEARTBEAT_SECONDS;
    private int leaseSeconds = DEFAULT_LEASE_SECONDS;
    private int dispatchDeadlineSeconds = DEFAULT_DISPATCH_DEADLINE_SECONDS;
    private int stageWaitForDelegateSeconds = DEFAULT_STAGE_WAIT_FOR_DELEGATE_SECONDS;
    private long sweepPeriodMillis = DEFAULT_SWEEP_MILLIS;
    private long dispatchScanMillis = DEFAULT_DISPATCH_SCAN_MILLIS;
    private LogSettings logs = LogSettings.DEFAULT;
    private MasterKeySettings masterKeys = MasterKeySettings.GENERATED;
    private MetricsSettings metrics = MetricsSettings.DEFAULT;
    private AuthSettings auth = AuthSettings.DEFAULT;
    private ServerLimits limits = ServerLimits.DEFAULTS;
    private TlsSettings tls = TlsSettings.none();
    private PipelineLimits pipelineLimits = PipelineLimits.DEFAULTS;
    private PauseSettings pause = PauseSettings.DEFAULT;
    private ConsoleAuthSettings consoleAuth = ConsoleAuthSettings.DEFAULT;

    private Builder() {}

    public Builder bindAddress(String v) {
      bindAddress = v;
      return this;
    }

    public Builder port(int v) {
      port = v;
      return this;
    }

    public Builder dataDir(Path v) {
      dataDir = v;
      return this;
    }

    /** The database; a null URL means an H2 file in the data directory. */
    public Builder database(String url, String user, String password) {
      dbUrl = url;
      dbUser = user;
      dbPassword = password;
      return this;
    }

    public Builder publicUrl(String v) {
      publicUrl = v;
      return this;
    }

    public Builder defaultImage(String v) {
      defaultImage = v;
      return this;
    }

    public Builder heartbeatIntervalSeconds(int v) {
      heartbeatIntervalSeconds = v;
      return this;
    }

    public Builder leaseSeconds(int v) {
      leaseSeconds = v;
      return this;
    }

    public Builder dispatchDeadlineSeconds(int v) {
      dispatchDeadlineSeconds = v;
      return this;
    }

    /** {@code DBOPS_STAGE_WAIT_FOR_DELEGATE_SECONDS}; 0 fails a stage no delegate can take at once. */
    public Builder stageWaitForDelegateSeconds(int v) {
      stageWaitForDelegateSeconds = v;
      return this;
    }

    /** The sweep period and the dispatch scan period (tests use short ones). */
    public Builder periods(long sweepMillis, long scanMillis) {
      sweepPeriodMillis = sweepMillis;
      dispatchScanMillis = scanMillis;
      return this;
    }

    public Builder logs(LogSettings v) {
      logs = v;
      return this;
    }

    public Builder masterKeys(MasterKeySettings v) {
      masterKeys = v;
      return this;
    }

    public Builder metrics(MetricsSettings v) {
      metrics = v;
      return this;
    }

    public Builder auth(AuthSettings v) {
      auth = v;
      return this;
    }

    /** @throws ConfigException naming every invalid setting */
    /** Threads, idle timeout and minimum body rate of the HTTP server ({@code DBOPS_HTTP_*}). */
    public Builder limits(ServerLimits v) {
      limits = v;
      return this;
    }

    /** The certificate the API is served with ({@code DBOPS_TLS_*}, {@code DBOPS_ALLOW_INSECURE}). */
    public Builder tls(TlsSettings v) {
      tls = v;
      return this;
    }

    /** Ceilings on a submitted pipeline ({@code DBOPS_MAX_STAGES}, {@code DBOPS_MAX_STEPS}). */
    public Builder pause(PauseSettings v) {
      pause = v;
      return this;
    }

    /** Console sessions and OIDC sign-in (docs/console-auth.md). */
    public Builder consoleAuth(ConsoleAuthSettings v) {
      consoleAuth = v;
      return this;
    }

    public Builder pipelineLimits(PipelineLimits v) {
      pipelineLimits = v;
      return this;
    }

    public ControlPlaneConfig build() {
      return new ControlPlaneConfig(bindAddress, port, dataDir, dbUrl, dbUser, dbPassword,
          publicUrl, defaultImage, heartbeatIntervalSeconds, leaseSeconds, dispatchDeadlineSeconds,
          stageWaitForDelegateSeconds, sweepPeriodMillis, dispatchScanMillis, logs, masterKeys, metrics, auth, limits,
          tls, pipelineLimits, pause, consoleAuth);
    }
  }
}
