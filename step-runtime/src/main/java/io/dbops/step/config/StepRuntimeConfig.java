package io.dbops.step.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Settings of a step container, built once from the environment and immutable afterwards.
 *
 * @param port gRPC port; 0 picks a free port ({@code DBOPS_STEP_PORT}, default 20002)
 * @param poolMaxSize connections per database pool ({@code DBOPS_STEP_POOL_MAX_SIZE}, default 2)
 * @param connectionTimeout longest wait for a database connection ({@code
 *     DBOPS_STEP_CONNECTION_TIMEOUT_SECONDS}, default 10)
 * @param queueCapacity steps that may wait while one runs ({@code DBOPS_STEP_QUEUE_CAPACITY},
 *     default 4); more are rejected with RESOURCE_EXHAUSTED
 * @param shutdownGrace how long close() lets running steps finish before cancelling them ({@code
 *     DBOPS_STEP_SHUTDOWN_GRACE_SECONDS}, default 20)
 * @param lockTimeout longest wait for the database's change lock before a step fails ({@code
 *     DBOPS_STEP_LOCK_TIMEOUT_SECONDS}, default 60; 0 = try once)
 * @param durability when a PostgreSQL apply waits for durable commits ({@code
 *     DBOPS_STEP_DURABILITY}, {@code step} (default) or {@code changeset})
 */
public record StepRuntimeConfig(
    int port, int poolMaxSize, Duration connectionTimeout, int queueCapacity, Duration shutdownGrace,
    Duration lockTimeout, CommitDurability durability) {

  public static final String PORT = "DBOPS_STEP_PORT";
  public static final String POOL_MAX_SIZE = "DBOPS_STEP_POOL_MAX_SIZE";
  public static final String CONNECTION_TIMEOUT = "DBOPS_STEP_CONNECTION_TIMEOUT_SECONDS";
  public static final String QUEUE_CAPACITY = "DBOPS_STEP_QUEUE_CAPACITY";
  public static final String SHUTDOWN_GRACE = "DBOPS_STEP_SHUTDOWN_GRACE_SECONDS";
  public static final String LOCK_TIMEOUT = "DBOPS_STEP_LOCK_TIMEOUT_SECONDS";
  public static final String DURABILITY = "DBOPS_STEP_DURABILITY";

  public static final int DEFAULT_PORT = 20002;
  public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(60);

  public StepRuntimeConfig {
    List<String> problems = problems(port, poolMaxSize, connectionTimeout, queueCapacity, shutdownGrace);
    problems.addAll(lockProblems(lockTimeout));
    if (durability == null) {
      problems.add(DURABILITY + " must be set");
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
  }

  /** With the default lock timeout (60 s) and durability ({@code step}). */
  public StepRuntimeConfig(
      int port, int poolMaxSize, Duration connectionTimeout, int queueCapacity, Duration shutdownGrace) {
    this(port, poolMaxSize, connectionTimeout, queueCapacity, shutdownGrace, DEFAULT_LOCK_TIMEOUT,
        CommitDurability.STEP);
  }

  /** The defaults, on the given port. Handy for tests. */
  public static StepRuntimeConfig defaults(int port) {
    return new StepRuntimeConfig(port, 2, Duration.ofSeconds(10), 4, Duration.ofSeconds(20));
  }

  /** This configuration with another lock timeout. */
  public StepRuntimeConfig withLockTimeout(Duration timeout) {
    return new StepRuntimeConfig(port, poolMaxSize, connectionTimeout, queueCapacity, shutdownGrace, timeout,
        durability);
  }

  /**
   * Reads the {@code DBOPS_STEP_*} variables; unset or blank ones take their defaults.
   *
   * @throws ConfigException listing every invalid variable
   */
  public static StepRuntimeConfig fromEnvironment(Map<String, String> env) {
    List<String> problems = new ArrayList<>();
    int port = intVar(env, PORT, DEFAULT_PORT, problems);
    int poolMaxSize = intVar(env, POOL_MAX_SIZE, 2, problems);
    int timeoutSeconds = intVar(env, CONNECTION_TIMEOUT, 10, problems);
    int queueCapacity = intVar(env, QUEUE_CAPACITY, 4, problems);
    int graceSeconds = intVar(env, SHUTDOWN_GRACE, 20, problems);
    int lockSeconds = intVar(env, LOCK_TIMEOUT, (int) DEFAULT_LOCK_TIMEOUT.toSeconds(), problems);
    Duration timeout = Duration.ofSeconds(timeoutSeconds);
    Duration grace = Duration.ofSeconds(graceSeconds);
    Duration lock = Duration.ofSeconds(lockSeconds);
    CommitDurability durability = CommitDurability.STEP;
    String rawDurability = env.get(DURABILITY);
    if (rawDurability != null && !rawDurability.isBlank()) {
      durability = CommitDurability.parse(rawDurability);
      if (durability == null) {
        problems.add(DURABILITY + " must be 'step' or 'changeset', was '" + rawDurability + "'");
        durability = CommitDurability.STEP;
      }
    }
    problems.addAll(problems(port, poolMaxSize, timeout, queueCapacity, grace));
    problems.addAll(lockProblems(lock));
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new StepRuntimeConfig(port, poolMaxSize, timeout, queueCapacity, grace, lock, durability);
  }

  private static List<String> lockProblems(Duration lockTimeout) {
    List<String> problems = new ArrayList<>();
    if (lockTimeout == null || lockTimeout.isNegative() || lockTimeout.toSeconds() > 86_400) {
      problems.add(LOCK_TIMEOUT + " must be between 0 and 86400 seconds, was " + lockTimeout);
    }
    return problems;
  }

  private static List<String> problems(
      int port, int poolMaxSize, Duration connectionTimeout, int queueCapacity, Duration grace) {
    List<String> problems = new ArrayList<>();
    if (port < 0 || port > 65535) {
      problems.add(PORT + " must be between 0 and 65535 (0 = any free port), was " + port);
    }
    if (poolMaxSize < 1 || poolMaxSize > 50) {
      problems.add(POOL_MAX_SIZE + " must be between 1 and 50, was " + poolMaxSize);
    }
    // Hikari refuses connection timeouts under 250 ms; whole seconds keep the env var simple.
    if (connectionTimeout == null || connectionTimeout.toMillis() < 1000) {
      problems.add(CONNECTION_TIMEOUT + " must be at least 1 second, was " + connectionTimeout);
    }
    if (queueCapacity < 0 || queueCapacity > 1000) {
      problems.add(QUEUE_CAPACITY + " must be between 0 and 1000, was " + queueCapacity);
    }
    if (grace == null || grace.isNegative()) {
      problems.add(SHUTDOWN_GRACE + " must be 0 or more seconds, was " + grace);
    }
    return problems;
  }

  private static int intVar(Map<String, String> env, String name, int fallback, List<String> problems) {
    String raw = env.get(name);
    if (raw == null || raw.isBlank()) {
      return fallback;
    }
    try {
      return Integer.parseInt(raw.trim());
    } catch (NumberFormatException e) {
      problems.add(name + " must be a whole number, was '" + raw + "'");
      return fallback;
    }
  }
}
