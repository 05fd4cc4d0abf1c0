package io.dbops.logship;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with jitter (each wait is drawn from the upper half of the current step). Not thread-safe. */
final class Backoff {
  private final long minNanos;
  private final long maxNanos;
  private long currentNanos;

  Backoff(Duration min, Duration max) {
    this.minNanos = min.toNanos();
    this.maxNanos = max.toNanos();
    this.currentNanos = minNanos;
  }

  /** The next wait in nanoseconds; doubles the step up to the maximum. */
  long next() {
    long wait = ThreadLocalRandom.current().nextLong(currentNanos / 2, currentNanos + 1);
    currentNanos = Math.min(currentNanos * 2, maxNanos);
    return wait;
  }

  void reset() {
    currentNanos = minNanos;
  }
}
