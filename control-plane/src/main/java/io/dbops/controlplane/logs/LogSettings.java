package io.dbops.controlplane.logs;

import io.dbops.config.ConfigException;
import io.dbops.config.EnvReader;
import io.dbops.config.Problems;
import java.time.Duration;
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
    Problems problems = new Problems();
    if (retentionDays < 0 || retentionDays > 36_500) {
      problems.add("DBOPS_LOG_RETENTION_DAYS must be between 0 (keep forever) and 36500, not " + retentionDays);
    }
    if (idleClose.isNegative() || idleClose.isZero()) {
      problems.add("DBOPS_LOG_IDLE_CLOSE_MINUTES must be at least 1, not " + idleClose.toMinutes());
    }
    if (sweepPeriod.toMillis() < 10) {
      problems.add("the log sweep period must be at least 10 ms, not " + sweepPeriod.toMillis());
    }
    problems.throwIfAny("control plane");
  }

  /**
   * Reads DBOPS_LOG_RETENTION_DAYS and DBOPS_LOG_IDLE_CLOSE_MINUTES.
   *
   * @throws ConfigException naming every invalid variable
   */
  public static LogSettings fromEnvironment(Map<String, String> env) {
    Problems problems = new Problems();
    EnvReader r = new EnvReader(env, problems);
    int days = r.integer("DBOPS_LOG_RETENTION_DAYS", DEFAULT_RETENTION_DAYS, Integer.MIN_VALUE,
        Integer.MAX_VALUE);
    long idle = r.number("DBOPS_LOG_IDLE_CLOSE_MINUTES", DEFAULT.idleClose().toMinutes(),
        Long.MIN_VALUE, Long.MAX_VALUE / 60);
    problems.throwIfAny("control plane");
    return new LogSettings(days, Duration.ofMinutes(idle), DEFAULT.sweepPeriod());
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
}
