package io.dbops.step.config;

import io.dbops.config.ConfigException;
import io.dbops.config.EnvReader;
import io.dbops.config.Problems;
import io.dbops.step.guard.GuardedChangeType;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Settings of a step container (and of {@code dbops step}), built once from the environment and
 * immutable afterwards. The pod credential is not among them: only the server needs it (see
 * {@code StepRuntime}).
 *
 * @param port gRPC port; 0 picks a free port ({@code DBOPS_STEP_PORT}, default 20002)
 * @param bindAddress the address the server listens on ({@code DBOPS_BIND_ADDRESS}, default {@code
 *     127.0.0.1}; the Kubernetes runtime sets {@code 0.0.0.0})
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
 * @param allowedChangeTypes what changelogs may do beyond the database ({@code
 *     DBOPS_STEP_ALLOW_CHANGE_TYPES}, default none)
 * @param mongo how liquibase-mongodb sets up its tracking collections ({@code
 *     DBOPS_STEP_MONGODB_*}, see {@link MongoSettings})
 */
public record StepRuntimeConfig(
    int port, String bindAddress, int poolMaxSize, Duration connectionTimeout, int queueCapacity,
    Duration shutdownGrace, Duration lockTimeout, CommitDurability durability,
    Set<GuardedChangeType> allowedChangeTypes, MongoSettings mongo) {

  public static final String PORT = "DBOPS_STEP_PORT";
  public static final String BIND_ADDRESS = "DBOPS_BIND_ADDRESS";
  public static final String POOL_MAX_SIZE = "DBOPS_STEP_POOL_MAX_SIZE";
  public static final String CONNECTION_TIMEOUT = "DBOPS_STEP_CONNECTION_TIMEOUT_SECONDS";
  public static final String QUEUE_CAPACITY = "DBOPS_STEP_QUEUE_CAPACITY";
  public static final String SHUTDOWN_GRACE = "DBOPS_STEP_SHUTDOWN_GRACE_SECONDS";
  public static final String LOCK_TIMEOUT = "DBOPS_STEP_LOCK_TIMEOUT_SECONDS";
  public static final String DURABILITY = "DBOPS_STEP_DURABILITY";
  public static final String ALLOW_CHANGE_TYPES = GuardedChangeType.SETTING;

  public static final int DEFAULT_PORT = 20002;
  public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";
  public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(60);
  static final String COMPONENT = "step runtime";

  public StepRuntimeConfig {
    Problems problems = new Problems();
    problems.require(port >= 0 && port <= 65535, PORT + " must be between 0 and 65535 (0 = any free port), not " + port);
    problems.require(bindAddress != null && !bindAddress.isBlank(), BIND_ADDRESS + " must not be blank");
    problems.require(poolMaxSize >= 1 && poolMaxSize <= 50, POOL_MAX_SIZE + " must be between 1 and 50, not " + poolMaxSize);
    // Hikari refuses connection timeouts under 250 ms; whole seconds keep the env var simple.
    problems.require(connectionTimeout != null && connectionTimeout.toMillis() >= 1000,
        CONNECTION_TIMEOUT + " must be at least 1 second, not " + connectionTimeout);
    problems.require(queueCapacity >= 0 && queueCapacity <= 1000,
        QUEUE_CAPACITY + " must be between 0 and 1000, not " + queueCapacity);
    problems.require(shutdownGrace != null && !shutdownGrace.isNegative(),
        SHUTDOWN_GRACE + " must be 0 or more seconds, not " + shutdownGrace);
    problems.require(lockTimeout != null && !lockTimeout.isNegative() && lockTimeout.toSeconds() <= 86_400,
        LOCK_TIMEOUT + " must be between 0 and 86400 seconds, not " + lockTimeout);
    problems.require(durability != null, DURABILITY + " must be set");
    problems.require(mongo != null, "the MongoDB settings must be set");
    problems.throwIfAny(COMPONENT);
    allowedChangeTypes = allowedChangeTypes == null || allowedChangeTypes.isEmpty()
        ? Set.of() : Set.copyOf(EnumSet.copyOf(allowedChangeTypes));
  }

  /** A builder with every default. */
  public static Builder builder() {
    return new Builder();
  }

  /** The defaults, on the given port. Handy for tests. */
  public static StepRuntimeConfig defaults(int port) {
    return builder().port(port).build();
  }

  /** A builder holding this configuration's values. */
  public Builder toBuilder() {
    return new Builder().port(port).bindAddress(bindAddress).poolMaxSize(poolMaxSize)
        .connectionTimeout(connectionTimeout).queueCapacity(queueCapacity).shutdownGrace(shutdownGrace)
        .lockTimeout(lockTimeout).durability(durability).allowedChangeTypes(allowedChangeTypes).mongo(mongo);
  }

  /** This configuration with another lock timeout. */
  public StepRuntimeConfig withLockTimeout(Duration timeout) {
    return toBuilder().lockTimeout(timeout).build();
  }

  /**
   * Reads {@code DBOPS_BIND_ADDRESS} and the {@code DBOPS_STEP_*} variables; unset or blank ones
   * take their defaults.
   *
   * @throws ConfigException listing every invalid variable
   */
  public static StepRuntimeConfig fromEnvironment(Map<String, String> env) {
    EnvReader reader = new EnvReader(env);
    Builder b = builder()
        .port(reader.integer(PORT, DEFAULT_PORT, 0, 65535))
        .bindAddress(reader.string(BIND_ADDRESS, DEFAULT_BIND_ADDRESS))
        .poolMaxSize(reader.integer(POOL_MAX_SIZE, 2, 1, 50))
        .connectionTimeout(reader.seconds(CONNECTION_TIMEOUT, Duration.ofSeconds(10), 1))
        .queueCapacity(reader.integer(QUEUE_CAPACITY, 4, 0, 1000))
        .shutdownGrace(reader.seconds(SHUTDOWN_GRACE, Duration.ofSeconds(20), 0))
        .lockTimeout(Duration.ofSeconds(reader.number(LOCK_TIMEOUT, DEFAULT_LOCK_TIMEOUT.toSeconds(), 0, 86_400)));
    String durability = reader.oneOf(DURABILITY, "step", Set.of("step", "changeset"));
    b.durability(CommitDurability.parse(durability));
    b.allowedChangeTypes(Set.copyOf(reader.list(ALLOW_CHANGE_TYPES, GuardedChangeType::parse)));
    b.mongo(MongoSettings.read(reader));
    reader.throwIfProblems(COMPONENT);
    return b.build();
  }

  /** Builds a {@link StepRuntimeConfig}; starts from the defaults. Not thread-safe. */
  public static final class Builder {
    private int port = DEFAULT_PORT;
    private String bindAddress = DEFAULT_BIND_ADDRESS;
    private int poolMaxSize = 2;
    private Duration connectionTimeout = Duration.ofSeconds(10);
    private int queueCapacity = 4;
    private Duration shutdownGrace = Duration.ofSeconds(20);
    private Duration lockTimeout = DEFAULT_LOCK_TIMEOUT;
    private CommitDurability durability = CommitDurability.STEP;
    private Set<GuardedChangeType> allowedChangeTypes = Set.of();
    private MongoSettings mongo = MongoSettings.defaults();

    private Builder() {}

    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public Builder bindAddress(String bindAddress) {
      this.bindAddress = bindAddress;
      return this;
    }

    public Builder poolMaxSize(int poolMaxSize) {
      this.poolMaxSize = poolMaxSize;
      return this;
    }

    public Builder connectionTimeout(Duration connectionTimeout) {
      this.connectionTimeout = connectionTimeout;
      return this;
    }

    public Builder queueCapacity(int queueCapacity) {
      this.queueCapacity = queueCapacity;
      return this;
    }

    public Builder shutdownGrace(Duration shutdownGrace) {
      this.shutdownGrace = shutdownGrace;
      return this;
    }

    public Builder lockTimeout(Duration lockTimeout) {
      this.lockTimeout = lockTimeout;
      return this;
    }

    public Builder durability(CommitDurability durability) {
      this.durability = durability;
      return this;
    }

    public Builder allowedChangeTypes(Set<GuardedChangeType> allowedChangeTypes) {
      this.allowedChangeTypes = allowedChangeTypes;
      return this;
    }

    public Builder mongo(MongoSettings mongo) {
      this.mongo = mongo;
      return this;
    }

    /** @throws ConfigException listing every invalid value */
    public StepRuntimeConfig build() {
      return new StepRuntimeConfig(port, bindAddress, poolMaxSize, connectionTimeout, queueCapacity, shutdownGrace,
          lockTimeout, durability, allowedChangeTypes, mongo);
    }
  }
}
