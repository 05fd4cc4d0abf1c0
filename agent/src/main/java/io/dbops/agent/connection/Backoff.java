package io.dbops.agent.connection;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongUnaryOperator;

/**
 * Exponential backoff with full jitter: the delay before attempt {@code n} (from 0) is uniform in
 * [0, min(cap, base·2ⁿ)], so delegates that lost the same control plane do not return in step.
 * Thread-safe.
 */
final class Backoff {
  private final long baseMillis;
  private final long capMillis;
  /** Given a ceiling, a value in [0, ceiling]. */
  private final LongUnaryOperator jitter;

  Backoff(Duration base, Duration cap) {
    this(base, cap, ceiling -> ThreadLocalRandom.current().nextLong(ceiling + 1));
  }

  Backoff(Duration base, Duration cap, LongUnaryOperator jitter) {
    this.baseMillis = base.toMillis();
    this.capMillis = cap.toMillis();
    this.jitter = jitter;
  }

  long delayMillis(int attempt) {
    return jitter.applyAsLong(ceilingMillis(attempt));
  }

  long ceilingMillis(int attempt) {
    if (attempt >= 30 || baseMillis << attempt >= capMillis) {
      return capMillis;
    }
    return baseMillis << attempt;
  }

  long capMillis() {
    return capMillis;
  }
}
