package io.dbops.support;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongUnaryOperator;

/**
 * Exponential backoff with full jitter, the one used by every retry loop: the delay before attempt
 * {@code n} (from 0) is uniform in [0, min(cap, base·2ⁿ)], so clients that lost the same server do
 * not return in step. Stateless and thread-safe; a loop that has no attempt counter of its own uses
 * {@link Attempts}.
 */
public final class Backoff {
  private final long baseMillis;
  private final long capMillis;
  /** Given a ceiling, a value in [0, ceiling]. */
  private final LongUnaryOperator jitter;

  public Backoff(Duration base, Duration cap) {
    this(base, cap, ceiling -> ThreadLocalRandom.current().nextLong(ceiling + 1));
  }

  /** With a chosen jitter (tests pass {@code c -> c} for the ceiling itself). */
  public Backoff(Duration base, Duration cap, LongUnaryOperator jitter) {
    if (base.isNegative() || base.isZero() || cap.compareTo(base) < 0) {
      throw new IllegalArgumentException("backoff needs 0 < base <= cap, got " + base + " and " + cap);
    }
    this.baseMillis = base.toMillis();
    this.capMillis = cap.toMillis();
    this.jitter = jitter;
  }

  /** The delay before attempt {@code attempt} (0 for the first retry), in milliseconds. */
  public long delayMillis(int attempt) {
    return jitter.applyAsLong(ceilingMillis(attempt));
  }

  /** The largest delay attempt {@code attempt} may wait. */
  public long ceilingMillis(int attempt) {
    if (attempt >= 30 || baseMillis << attempt >= capMillis) {
      return capMillis;
    }
    return baseMillis << attempt;
  }

  public long capMillis() {
    return capMillis;
  }

  /** Counts the attempts of one retry loop. Not thread-safe: one per loop. */
  public static final class Attempts {
    private final Backoff backoff;
    private int attempt;

    public Attempts(Backoff backoff) {
      this.backoff = backoff;
    }

    /** The next delay in milliseconds; each call moves one attempt on. */
    public long nextDelayMillis() {
      return backoff.delayMillis(attempt++);
    }

    /** After a success: the next failure starts again from the base delay. */
    public void reset() {
      attempt = 0;
    }
  }
}
