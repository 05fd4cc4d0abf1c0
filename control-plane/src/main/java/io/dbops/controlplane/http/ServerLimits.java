package io.dbops.controlplane.http;

import io.dbops.config.EnvReader;
import java.time.Duration;

/**
 * Limits of the HTTP edge, so that one client cannot stall everyone (docs/operations.md "Limits").
 *
 * @param idleTimeout a connection with no traffic for this long is closed, and a blocked read of
 *     a request body fails after it ({@code DBOPS_HTTP_IDLE_TIMEOUT_SECONDS}, default 30); long
 *     polls wait asynchronously and are not cut by it
 * @param minBodyBytesPerSecond a request body arriving slower than this on average, after a 2 s
 *     grace (a quarter of the idle timeout when shorter; {@link CompleteBodyFilter}), is refused
 *     with 408 ({@code DBOPS_HTTP_MIN_BODY_BYTES_PER_SECOND}, default 1024; 0 turns the check off)
 * @param maxThreads request threads ({@code DBOPS_HTTP_MAX_THREADS}, default 200)
 */
public record ServerLimits(Duration idleTimeout, long minBodyBytesPerSecond, int maxThreads) {
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
  public static final long DEFAULT_MIN_BODY_BYTES_PER_SECOND = 1024;
  public static final int DEFAULT_MAX_THREADS = 200;
  /** The defaults, as an unset environment gives them. */
  public static final ServerLimits DEFAULTS =
      new ServerLimits(DEFAULT_IDLE_TIMEOUT, DEFAULT_MIN_BODY_BYTES_PER_SECOND, DEFAULT_MAX_THREADS);

  public ServerLimits {
    if (idleTimeout == null || idleTimeout.toMillis() < 100) {
      throw new IllegalArgumentException("the idle timeout must be at least 100 ms, not " + idleTimeout);
    }
    if (minBodyBytesPerSecond < 0) {
      throw new IllegalArgumentException("the minimum body rate must be >= 0");
    }
    if (maxThreads < 16) {
      throw new IllegalArgumentException("at least 16 request threads are needed, not " + maxThreads);
    }
  }

  /** Reads the settings; malformed values become problems of {@code env}. */
  public static ServerLimits fromEnvironment(EnvReader env) {
    return new ServerLimits(
        env.seconds("DBOPS_HTTP_IDLE_TIMEOUT_SECONDS", DEFAULT_IDLE_TIMEOUT, 1),
        env.number("DBOPS_HTTP_MIN_BODY_BYTES_PER_SECOND", DEFAULT_MIN_BODY_BYTES_PER_SECOND, 0,
            1L << 30),
        env.integer("DBOPS_HTTP_MAX_THREADS", DEFAULT_MAX_THREADS, 16, 10_000));
  }
}
