package io.dbops.controlplane.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class FailureThrottleTest {
  /** A clock the test moves by hand. */
  static final class ManualClock extends Clock {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  final ManualClock clock = new ManualClock();
  final FailureThrottle throttle = new FailureThrottle(clock, 10, Duration.ofMinutes(1));

  @Test
  void theFirstTenFailuresInAMinuteAreAnsweredNormallyTheEleventhWaits() {
    for (int i = 0; i < 10; i++) {
      assertThat(throttle.failed("10.0.0.1")).as("failure %d", i + 1).isEmpty();
      clock.advance(Duration.ofSeconds(1));
    }
    // the oldest failure (t=0) leaves the window at t=60; it is t=10 now
    assertThat(throttle.failed("10.0.0.1")).contains(Duration.ofSeconds(50));
    assertThat(throttle.failed("10.0.0.2")).as("another address is not slowed").isEmpty();
  }

  @Test
  void failuresOlderThanTheWindowNoLongerCount() {
    for (int i = 0; i < 10; i++) {
      throttle.failed("10.0.0.1");
    }
    assertThat(throttle.failed("10.0.0.1")).isPresent();
    clock.advance(Duration.ofSeconds(61));
    assertThat(throttle.recentFailures("10.0.0.1")).isZero();
    assertThat(throttle.failed("10.0.0.1")).isEmpty();
  }

  @Test
  void aClientThatKeepsFailingKeepsWaitingAndTheWaitIsAtLeastOneSecond() {
    for (int i = 0; i < 200; i++) {
      throttle.failed("10.0.0.1");
    }
    assertThat(throttle.recentFailures("10.0.0.1")).as("bounded per address").isEqualTo(20);
    clock.advance(Duration.ofMillis(59_999));
    assertThat(throttle.failed("10.0.0.1")).contains(Duration.ofSeconds(1));
  }

  @Test
  void forgetsStaleAddressesInsteadOfGrowingWithoutBound() {
    for (int i = 0; i < FailureThrottle.MAX_ADDRESSES; i++) {
      throttle.failed("addr-" + i);
    }
    clock.advance(Duration.ofMinutes(2));
    throttle.failed("late");
    assertThat(throttle.recentFailures("addr-0")).isZero();
    assertThat(throttle.recentFailures("late")).isEqualTo(1);
  }
}
