package io.dbops.controlplane.identity;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * Slows down guessing: counts failed authentications per client address in a sliding window;
 * once an address has {@code limit} failures within {@code window}, its further failures are
 * answered 429 with the time until the oldest failure leaves the window. Thread-safe; bounded
 * (at most {@value #MAX_ADDRESSES} addresses are tracked, stale ones are dropped first).
 */
public final class FailureThrottle {
  static final int MAX_ADDRESSES = 10_000;

  private final Clock clock;
  private final int limit;
  private final Duration window;
  private final Map<String, Deque<Long>> failures = new HashMap<>();

  public FailureThrottle(Clock clock, int limit, Duration window) {
    if (limit < 1 || window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("limit must be >= 1 and window positive");
    }
    this.clock = clock;
    this.limit = limit;
    this.window = window;
  }

  /**
   * Records a failure from {@code address}.
   *
   * @return how long the address must wait when it is over the limit (this failure included
   *     beyond the first {@code limit}), else empty
   */
  public synchronized Optional<Duration> failed(String address) {
    long now = clock.millis();
    if (failures.size() >= MAX_ADDRESSES && !failures.containsKey(address)) {
      prune(now);
    }
    Deque<Long> times = failures.computeIfAbsent(address, a -> new ArrayDeque<>());
    expire(times, now);
    boolean over = times.size() >= limit;
    if (times.size() < limit * 2) {
      times.addLast(now);
    }
    if (!over) {
      return Optional.empty();
    }
    long wait = times.peekFirst() + window.toMillis() - now;
    return Optional.of(Duration.ofMillis(Math.max(1_000, wait)));
  }

  /** Failures of {@code address} within the window (for tests and metrics). */
  public synchronized int recentFailures(String address) {
    Deque<Long> times = failures.get(address);
    if (times == null) {
      return 0;
    }
    expire(times, clock.millis());
    return times.size();
  }

  private void expire(Deque<Long> times, long now) {
    while (!times.isEmpty() && times.peekFirst() + window.toMillis() <= now) {
      times.removeFirst();
    }
  }

  private void prune(long now) {
    for (Iterator<Deque<Long>> it = failures.values().iterator(); it.hasNext(); ) {
      Deque<Long> times = it.next();
      expire(times, now);
      if (times.isEmpty()) {
        it.remove();
      }
    }
    if (failures.size() >= MAX_ADDRESSES) {
      failures.clear(); // a flood of addresses: forget them rather than grow without bound
    }
  }
}
