package io.dbops.controlplane.config;

import io.dbops.controlplane.logs.LogSettings;
import io.dbops.controlplane.secrets.MasterKeySettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Settings of the control plane, immutable and validated once.
 *
 * @param bindAddress address the HTTP server listens on ({@code DBOPS_SERVER_BIND}, default 127.0.0.1)
 * @param port HTTP port ({@code DBOPS_SERVER_PORT}, default 8080; 0 picks a free port)
 * @param dataDir directory of the embedded database ({@code DBOPS_DATA_DIR}, default ./.dbops/server)
 * @param dbUrl JDBC URL of the database ({@code DBOPS_DB_URL}); null means an H2 file in dataDir
 * @param dbUser database user ({@code DBOPS_DB_USER}); may be null
 * @param dbPassword database password ({@code DBOPS_DB_PASSWORD}); may be null; never logged
 * @param publicUrl base URL lite engines use to reach the log service ({@code DBOPS_PUBLIC_URL});
 *     null means derived from the bind address and the actual port
 * @param defaultImage image of build pods, for example {@code dbops/dbops:0.1.0}
 * @param heartbeatIntervalSeconds how often each side of a delegate session sends a heartbeat
 *     ({@code DBOPS_HEARTBEAT_SECONDS}, default 15)
 * @param leaseSeconds lease of an assigned task, renewed by {@code lease_renew}
 *     ({@code DBOPS_LEASE_SECONDS}, default 60)
 * @param dispatchDeadlineSeconds how long a queued task may have no eligible delegate before it
 *     fails ({@code DBOPS_DISPATCH_DEADLINE_SECONDS}, default 120)
 * @param sweepPeriodMillis how often leases, timeouts and dispatch deadlines are checked
 *     ({@code DBOPS_SWEEP_MILLIS}, default 1000)
 * @param dispatchScanMillis how often queued tasks are offered even without a local event (tasks
 *     queued through another replica) ({@code DBOPS_DISPATCH_SCAN_MILLIS}, default 500)
 * @param logs the log service's settings ({@code DBOPS_LOG_RETENTION_DAYS},
 *     {@code DBOPS_LOG_IDLE_CLOSE_MINUTES}); null means {@link LogSettings#DEFAULT}
 * @param masterKeys the secret store's master keys ({@code DBOPS_MASTER_KEY} or
 *     {@code DBOPS_MASTER_KEY_FILE}, {@code DBOPS_MASTER_KEY_PREVIOUS} or
 *     {@code DBOPS_MASTER_KEY_PREVIOUS_FILE}); null means {@link MasterKeySettings#GENERATED}, a key
 *     file generated in dataDir (docs/secrets.md)
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
    long sweepPeriodMillis,
    long dispatchScanMillis,
    LogSettings logs,
    MasterKeySettings masterKeys) {

  public static final String DEFAULT_BIND = "127.0.0.1";
  public static final int DEFAULT_PORT = 8080;
  public static final Path DEFAULT_DATA_DIR = Path.of(".dbops", "server");
  public static final String DEFAULT_IMAGE = "dbops/dbops:0.1.0";
  public static final int DEFAULT_HEARTBEAT_SECONDS = 15;
  public static final int DEFAULT_LEASE_SECONDS = 60;
  public static final int DEFAULT_DISPATCH_DEADLINE_SECONDS = 120;
  public static final long DEFAULT_SWEEP_MILLIS = 1000;
  public static final long DEFAULT_DISPATCH_SCAN_MILLIS = 500;

  /** With the default log settings. */
  public ControlPlaneConfig(String bindAddress, int port, Path dataDir, String dbUrl, String dbUser,
      String dbPassword, String publicUrl, String defaultImage, int heartbeatIntervalSeconds,
      int leaseSeconds, int dispatchDeadlineSeconds, long sweepPeriodMillis, long dispatchScanMillis) {
    this(bindAddress, port, dataDir, dbUrl, dbUser, dbPassword, publicUrl, defaultImage,
        heartbeatIntervalSeconds, leaseSeconds, dispatchDeadlineSeconds, sweepPeriodMillis,
        dispatchScanMillis, LogSettings.DEFAULT);
  }

  /** With a generated master key. */
  public ControlPlaneConfig(String bindAddress, int port, Path dataDir, String dbUrl, String dbUser,
      String dbPassword, String publicUrl, String defaultImage, int heartbeatIntervalSeconds,
      int leaseSeconds, int dispatchDeadlineSeconds, long sweepPeriodMillis, long dispatchScanMillis,
      LogSettings logs) {
    this(bindAddress, port, dataDir, dbUrl, dbUser, dbPassword, publicUrl, defaultImage,
        heartbeatIntervalSeconds, leaseSeconds, dispatchDeadlineSeconds, sweepPeriodMillis,
        dispatchScanMillis, logs, MasterKeySettings.GENERATED);
  }

  public ControlPlaneConfig {
    logs = logs == null ? LogSettings.DEFAULT : logs;
    masterKeys = masterKeys == null ? MasterKeySettings.GENERATED : masterKeys;
    List<String> problems = new ArrayList<>();
    if (bindAddress == null || bindAddress.isBlank()) {
      problems.add("DBOPS_SERVER_BIND must not be empty (for example 127.0.0.1 or 0.0.0.0)");
    }
    if (port < 0 || port > 65535) {
      problems.add("DBOPS_SERVER_PORT must be between 0 and 65535 (0 picks a free port), not " + port);
    }
    if (dataDir == null) {
      problems.add("DBOPS_DATA_DIR must not be empty");
    }
    if (dbUrl != null && !dbUrl.startsWith("jdbc:")) {
      problems.add("DBOPS_DB_URL must be a JDBC URL starting with 'jdbc:' "
          + "(for example jdbc:postgresql://db:5432/dbops)");
    }
    if (publicUrl != null && !(publicUrl.startsWith("http://") || publicUrl.startsWith("https://"))) {
      problems.add("DBOPS_PUBLIC_URL must start with http:// or https://, not '" + publicUrl + "'");
    }
    if (defaultImage == null || defaultImage.isBlank()) {
      problems.add("defaultImage (the build pod image) must not be empty");
    }
    if (heartbeatIntervalSeconds < 1) {
      problems.add("DBOPS_HEARTBEAT_SECONDS must be at least 1, not " + heartbeatIntervalSeconds);
    }
    if (leaseSeconds < 1) {
      problems.add("DBOPS_LEASE_SECONDS must be at least 1, not " + leaseSeconds);
    }
    if (dispatchDeadlineSeconds < 1) {
      problems.add("DBOPS_DISPATCH_DEADLINE_SECONDS must be at least 1, not "
          + dispatchDeadlineSeconds);
    }
    if (sweepPeriodMillis < 10) {
      problems.add("DBOPS_SWEEP_MILLIS must be at least 10, not " + sweepPeriodMillis);
    }
    if (dispatchScanMillis < 10) {
      problems.add("DBOPS_DISPATCH_SCAN_MILLIS must be at least 10, not " + dispatchScanMillis);
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "Invalid control plane configuration: " + String.join("; ", problems));
    }
    if (publicUrl != null && publicUrl.endsWith("/")) {
      publicUrl = publicUrl.substring(0, publicUrl.length() - 1);
    }
  }

  /** Every setting at its default. */
  public static ControlPlaneConfig defaults() {
    return new ControlPlaneConfig(DEFAULT_BIND, DEFAULT_PORT, DEFAULT_DATA_DIR, null, null, null,
        null, DEFAULT_IMAGE, DEFAULT_HEARTBEAT_SECONDS, DEFAULT_LEASE_SECONDS,
        DEFAULT_DISPATCH_DEADLINE_SECONDS, DEFAULT_SWEEP_MILLIS, DEFAULT_DISPATCH_SCAN_MILLIS);
  }

  /**
   * Reads DBOPS_SERVER_PORT, DBOPS_SERVER_BIND, DBOPS_DATA_DIR, DBOPS_DB_URL, DBOPS_DB_USER,
   * DBOPS_DB_PASSWORD, DBOPS_PUBLIC_URL, DBOPS_HEARTBEAT_SECONDS, DBOPS_LEASE_SECONDS,
   * DBOPS_DISPATCH_DEADLINE_SECONDS, DBOPS_SWEEP_MILLIS, DBOPS_DISPATCH_SCAN_MILLIS and the master
   * key variables (DBOPS_MASTER_KEY[_FILE], DBOPS_MASTER_KEY_PREVIOUS[_FILE]); unset or
   * blank variables keep their defaults.
   *
   * @throws ConfigException naming every invalid variable (never a key)
   */
  public static ControlPlaneConfig fromEnvironment(Map<String, String> env) {
    List<String> problems = new ArrayList<>();
    int port = (int) number(env, "DBOPS_SERVER_PORT", DEFAULT_PORT, problems);
    int heartbeat = (int) number(env, "DBOPS_HEARTBEAT_SECONDS", DEFAULT_HEARTBEAT_SECONDS, problems);
    int lease = (int) number(env, "DBOPS_LEASE_SECONDS", DEFAULT_LEASE_SECONDS, problems);
    int deadline = (int) number(env, "DBOPS_DISPATCH_DEADLINE_SECONDS",
        DEFAULT_DISPATCH_DEADLINE_SECONDS, problems);
    long sweep = number(env, "DBOPS_SWEEP_MILLIS", DEFAULT_SWEEP_MILLIS, problems);
    long scan = number(env, "DBOPS_DISPATCH_SCAN_MILLIS", DEFAULT_DISPATCH_SCAN_MILLIS, problems);
    String dataDir = value(env, "DBOPS_DATA_DIR");
    String bind = value(env, "DBOPS_SERVER_BIND");
    LogSettings logs = LogSettings.DEFAULT;
    try {
      logs = LogSettings.fromEnvironment(env);
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage().replace("Invalid control plane configuration: ", ""));
    }
    MasterKeySettings masterKeys = MasterKeySettings.fromEnvironment(env, problems);
    try {
      ControlPlaneConfig config = new ControlPlaneConfig(
          bind == null ? DEFAULT_BIND : bind,
          port,
          dataDir == null ? DEFAULT_DATA_DIR : Path.of(dataDir),
          value(env, "DBOPS_DB_URL"),
          value(env, "DBOPS_DB_USER"),
          value(env, "DBOPS_DB_PASSWORD"),
          value(env, "DBOPS_PUBLIC_URL"),
          DEFAULT_IMAGE,
          heartbeat, lease, deadline, sweep, scan, logs, masterKeys);
      if (problems.isEmpty()) {
        return config;
      }
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage().replace("Invalid control plane configuration: ", ""));
    }
    throw new ConfigException(
        "Invalid control plane configuration: " + String.join("; ", problems));
  }

  public ControlPlaneConfig withPort(int newPort) {
    return new ControlPlaneConfig(bindAddress, newPort, dataDir, dbUrl, dbUser, dbPassword,
        publicUrl, defaultImage, heartbeatIntervalSeconds, leaseSeconds, dispatchDeadlineSeconds,
        sweepPeriodMillis, dispatchScanMillis, logs, masterKeys);
  }

  public ControlPlaneConfig withDataDir(Path newDataDir) {
    return new ControlPlaneConfig(bindAddress, port, newDataDir, dbUrl, dbUser, dbPassword,
        publicUrl, defaultImage, heartbeatIntervalSeconds, leaseSeconds, dispatchDeadlineSeconds,
        sweepPeriodMillis, dispatchScanMillis, logs, masterKeys);
  }

  public ControlPlaneConfig withDatabase(String newUrl, String newUser, String newPassword) {
    return new ControlPlaneConfig(bindAddress, port, dataDir, newUrl, newUser, newPassword,
        publicUrl, defaultImage, heartbeatIntervalSeconds, leaseSeconds, dispatchDeadlineSeconds,
        sweepPeriodMillis, dispatchScanMillis, logs, masterKeys);
  }

  public ControlPlaneConfig withPublicUrl(String newPublicUrl) {
    return new ControlPlaneConfig(bindAddress, port, dataDir, dbUrl, dbUser, dbPassword,
        newPublicUrl, defaultImage, heartbeatIntervalSeconds, leaseSeconds,
        dispatchDeadlineSeconds, sweepPeriodMillis, dispatchScanMillis, logs, masterKeys);
  }

  public ControlPlaneConfig withDefaultImage(String newImage) {
    return new ControlPlaneConfig(bindAddress, port, dataDir, dbUrl, dbUser, dbPassword,
        publicUrl, newImage, heartbeatIntervalSeconds, leaseSeconds, dispatchDeadlineSeconds,
        sweepPeriodMillis, dispatchScanMillis, logs, masterKeys);
  }

  public ControlPlaneConfig withHeartbeatIntervalSeconds(int seconds) {
    return new ControlPlaneConfig(bindAddress, port, dataDir, dbUrl, dbUser, dbPassword,
        publicUrl, defaultImage, seconds, leaseSeconds, dispatchDeadlineSeconds,
        sweepPeriodMillis, dispatchScanMillis, logs, masterKeys);
  }

  public ControlPlaneConfig withLeaseSeconds(int seconds) {
    return new ControlPlaneConfig(bindAddress, port, dataDir, dbUrl, dbUser, dbPassword,
        publicUrl, defaultImage, heartbeatIntervalSeconds, seconds, dispatchDeadlineSeconds,
        sweepPeriodMillis, dispatchScanMillis, logs, masterKeys);
  }

  public ControlPlaneConfig withDispatchDeadlineSeconds(int seconds) {
    return new ControlPlaneConfig(bindAddress, port, dataDir, dbUrl, dbUser, dbPassword,
        publicUrl, defaultImage, heartbeatIntervalSeconds, leaseSeconds, seconds,
        sweepPeriodMillis, dispatchScanMillis, logs, masterKeys);
  }

  /** Sets the sweep period and the dispatch scan period (tests use short ones). */
  public ControlPlaneConfig withPeriods(long sweepMillis, long scanMillis) {
    return new ControlPlaneConfig(bindAddress, port, dataDir, dbUrl, dbUser, dbPassword,
        publicUrl, defaultImage, heartbeatIntervalSeconds, leaseSeconds, dispatchDeadlineSeconds,
        sweepMillis, scanMillis, logs, masterKeys);
  }

  /** Sets the master keys (tests; production reads DBOPS_MASTER_KEY*). */
  public ControlPlaneConfig withMasterKeys(MasterKeySettings newKeys) {
    return new ControlPlaneConfig(bindAddress, port, dataDir, dbUrl, dbUser, dbPassword,
        publicUrl, defaultImage, heartbeatIntervalSeconds, leaseSeconds, dispatchDeadlineSeconds,
        sweepPeriodMillis, dispatchScanMillis, logs, newKeys);
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
        + ", dbUrl=" + io.dbops.support.Secrets.maskUrl(dbUrl) + ", dbUser=" + dbUser
        + ", dbPassword=" + (dbPassword == null ? "null" : io.dbops.support.Secrets.MASK)
        + ", publicUrl=" + publicUrl + ", defaultImage=" + defaultImage
        + ", heartbeatIntervalSeconds=" + heartbeatIntervalSeconds + ", leaseSeconds=" + leaseSeconds
        + ", dispatchDeadlineSeconds=" + dispatchDeadlineSeconds + ", sweepPeriodMillis="
        + sweepPeriodMillis + ", dispatchScanMillis=" + dispatchScanMillis + ", logs=" + logs
        + ", masterKeys=" + masterKeys + "]";
  }

  private static long number(Map<String, String> env, String name, long fallback,
      List<String> problems) {
    String raw = value(env, name);
    if (raw == null) {
      return fallback;
    }
    try {
      return Long.parseLong(raw.trim());
    } catch (NumberFormatException e) {
      problems.add(name + " must be a number, not '" + raw + "'");
      return fallback;
    }
  }

  private static String value(Map<String, String> env, String name) {
    String v = env.get(name);
    return v == null || v.isBlank() ? null : v;
  }
}
