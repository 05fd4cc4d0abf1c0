package io.dbops.controlplane.logs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Settings of the log service, validated once.
 *
 * @param retentionDays logs of executions finished longer ago are deleted ({@code
 *     DBOPS_LOG_RETENTION_DAYS}, default 30; 0 keeps them forever)
 * @param idleClose open streams of finished executions are closed (and snapshot) after this long
 *     without a line ({@code DBOPS_LOG_IDLE_CLOSE_MINUTES}, default 10)
 * @param sweepPeriod how often closed streams are snapshot and idle ones closed (retention runs
 *     hourly and at start)
 */
public record LogSettings(int retentionDays, Duration idleClose, Duration sweepPeriod) {
  public static final int DEFAULT_RETENTION_DAYS = 30;
  public static final LogSettings DEFAULT =
      new LogSettings(DEFAULT_RETENTION_DAYS, Duration.ofMinutes(10), Duration.ofSeconds(10));

  public LogSettings {
    List<String> problems = new ArrayList<>();
    if (retentionDays < 0 || retentionDays > 36_500) {
      problems.add("DBOPS_LOG_RETENTION_DAYS must be between 0 (keep forever) and 36500, not " + retentionDays);
    }
    if (idleClose.isNegative() || idleClose.isZero()) {
      problems.add("DBOPS_LOG_IDLE_CLOSE_MINUTES must be at least 1, not " + idleClose.toMinutes());
    }
    if (sweepPeriod.toMillis() < 10) {
      problems.add("the log sweep period must be at least 10 ms, not " + sweepPeriod.toMillis());
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("Invalid control plane configuration: " + String.join("; ", problems));
    }
  }

  /** Reads DBOPS_LOG_RETENTION_DAYS and DBOPS_LOG_IDLE_CLOSE_MINUTES; every problem is reported at once. */
  public static LogSettings fromEnvironment(Map<String, String> env) {
    List<String> problems = new ArrayList<>();
    long days = number(env, "DBOPS_LOG_RETENTION_DAYS", DEFAULT_RETENTION_DAYS, problems);
    long idle = number(env, "DBOPS_LOG_IDLE_CLOSE_MINUTES", DEFAULT.idleClose().toMinutes(), problems);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("Invalid control plane configuration: " + String.join("; ", problems));
    }
    return new LogSettings((int) Math.min(days, Integer.MAX_VALUE), Duration.ofMinutes(idle), DEFAULT.sweepPeriod());
  }

  public LogSettings withRetentionDays(int days) {
    return new LogSettings(days, idleClose, sweepPeriod);
  }

  public LogSettings withIdleClose(Duration idle) {
    return new LogSettings(retentionDays, idle, sweepPeriod);
  }

  public LogSettings withSweepPeriod(Duration period) {
    return new LogSettings(retentionDays, idleClose, period);
  }

  private static long number(Map<String, String> env, String name, long fallback, List<String> problems) {
    String raw = env.get(name);
    if (raw == null || raw.isBlank()) {
      return fallback;
    }
    try {
      return Long.parseLong(raw.trim());
    } catch (NumberFormatException e) {
      problems.add(name + " must be a number, not '" + raw + "'");
      return fallback;
    }
  }
}
