package io.dbops.agent.runtime.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The pool's decisions on a manual clock, with fake pods (no processes). */
class WarmPoolTest {
  private static final Duration IDLE = Duration.ofSeconds(60);
  private static final Duration WARM_TIMEOUT = Duration.ofSeconds(30);
  private final ManualScheduler scheduler = new ManualScheduler();
  private final List<FakePod> launched = new ArrayList<>();
  private boolean launchFails;
  /** Whether a stage is starting or running, as the runtime would say. */
  private boolean stagesActive;

  private final class FakePod implements WarmPool.Pod {
    final String id = "warm-" + (launched.size() + 1);
    final CompletableFuture<Void> warm = new CompletableFuture<>();
    boolean stopped;

    @Override
    public String id() {
      return id;
    }

    @Override
    public CompletableFuture<Void> warm() {
      return warm;
    }

    @Override
    public boolean isAlive() {
      return !stopped;
    }

    @Override
    public void stop() {
      stopped = true;
    }
  }

  private WarmPool pool(int size, WarmPool.Refill refill) {
    return new WarmPool(size, IDLE, WARM_TIMEOUT, refill, () -> {
      if (launchFails) {
        throw new java.io.IOException("no such command");
      }
      FakePod pod = new FakePod();
      launched.add(pod);
      return pod;
    }, scheduler, scheduler::nanoTime, () -> stagesActive);
  }

  @Test
  void keepsItsSizeOfWarmPodsAndReplacesATakenOneAtOnceWhenRefillingOnTake() {
    WarmPool pool = pool(2, WarmPool.Refill.ON_TAKE);
    pool.start();
    scheduler.runDue();
    assertThat(launched).hasSize(2);
    launched.forEach(p -> p.warm.complete(null));

    assertThat(pool.takeWarm(Duration.ofSeconds(3))).containsSame(launched.get(0));
    scheduler.runDue();

    assertThat(launched).hasSize(3);
    assertThat(pool.warmPods()).containsExactly(launched.get(1), launched.get(2));
  }

  @Test
  void replacesATakenPodOnlyWhenItsStageEndsWhenRefillingOnEnd() {
    WarmPool pool = pool(1, WarmPool.Refill.ON_END);
    pool.start();
    scheduler.runDue();
    launched.get(0).warm.complete(null);

    assertThat(pool.takeWarm(Duration.ofSeconds(3))).isPresent();
    scheduler.runDue();
    assertThat(launched).hasSize(1);
    assertThat(pool.takeWarm(Duration.ofSeconds(3))).isEmpty();

    pool.ended();
    scheduler.runDue();
    assertThat(launched).as("not before stages were quiet for a while").hasSize(1);
    scheduler.advance(WarmPool.QUIET_BEFORE_REFILL);
    assertThat(launched).hasSize(2);
  }

  /** A warm-up runs steps: it must not compete with a stage, nor with the next stage of a pipeline. */
  @Test
  void refillsOnlyOnceNoStageStartedOrRanForTheQuietPeriod() {
    WarmPool pool = pool(1, WarmPool.Refill.ON_END);
    pool.start();
    scheduler.runDue();
    launched.get(0).warm.complete(null);
    assertThat(pool.takeWarm(Duration.ofSeconds(3))).isPresent();

    pool.ended(); // the first stage ended; the pipeline's next stage starts (cold) right after
    stagesActive = true;
    scheduler.advance(WarmPool.QUIET_BEFORE_REFILL);
    assertThat(launched).hasSize(1);

    stagesActive = false; // the next stage ended too
    pool.ended();
    scheduler.advance(WarmPool.QUIET_BEFORE_REFILL.minusMillis(1));
    assertThat(launched).hasSize(1);
    scheduler.advance(Duration.ofMillis(1));
    assertThat(launched).hasSize(2);
  }

  @Test
  void takesAWarmingPodOnlyWhenItShouldBeWarmBeforeAColdStartWouldBeReady() {
    WarmPool pool = pool(1, WarmPool.Refill.ON_END);
    pool.start();
    scheduler.runDue();
    // the first warm-up took 4 s: the pool judges the next by it
    scheduler.advance(Duration.ofSeconds(4));
    launched.get(0).warm.complete(null);
    pool.takeWarm(Duration.ofSeconds(3)).orElseThrow();
    pool.ended();
    scheduler.advance(WarmPool.QUIET_BEFORE_REFILL);
    FakePod warming = launched.get(1);

    // just started: 4 s to go, a cold start takes 3 s
    assertThat(pool.takeWarm(Duration.ofSeconds(3))).isEmpty();
    scheduler.advance(Duration.ofSeconds(2));
    // 2 s to go
    assertThat(pool.takeWarm(Duration.ofSeconds(3))).containsSame(warming);
  }

  @Test
  void takesNoWarmingPodWhenThereIsNothingToJudgeBy() {
    WarmPool pool = pool(1, WarmPool.Refill.ON_END);
    pool.start();
    scheduler.runDue();

    // no warm-up finished yet: it may take longer than a cold start
    assertThat(pool.takeWarm(Duration.ofSeconds(3))).isEmpty();
    launched.get(0).warm.complete(null);
    // no cold start to compare with: only a warm pod is taken
    assertThat(pool.takeWarm(Duration.ofNanos(-1))).containsSame(launched.get(0));
  }

  @Test
  void anIdlePodServesOnlyItsOwnKeyAndIsStoppedWhenNotReusedInTime() {
    WarmPool pool = pool(0, WarmPool.Refill.ON_END);
    FakePod released = new FakePod();
    pool.park("rollout:r1:dev", released);

    assertThat(pool.takeIdle("rollout:r2:dev")).isEmpty();
    assertThat(pool.takeIdle("rollout:r1:dev")).containsSame(released);
    assertThat(pool.takeIdle("rollout:r1:dev")).isEmpty(); // taken: no one else gets it

    pool.park("rollout:r1:dev", released);
    scheduler.advance(IDLE.minusSeconds(1));
    assertThat(released.stopped).isFalse();
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(released.stopped).isTrue();
    assertThat(pool.takeIdle("rollout:r1:dev")).isEmpty();
    assertThat(pool.idleCount()).isZero();
  }

  @Test
  void aReusedPodIsNotStoppedByTheExpiryOfItsEarlierIdleTime() {
    WarmPool pool = pool(0, WarmPool.Refill.ON_END);
    FakePod released = new FakePod();
    pool.park("k", released);
    scheduler.advance(Duration.ofSeconds(30));
    pool.takeIdle("k").orElseThrow();

    scheduler.advance(IDLE);

    assertThat(released.stopped).isFalse();
  }

  @Test
  void trimmingStopsTheOldestIdlePodsFirst() {
    WarmPool pool = pool(0, WarmPool.Refill.ON_END);
    FakePod oldest = new FakePod();
    FakePod newer = new FakePod();
    pool.park("a", oldest);
    scheduler.advance(Duration.ofSeconds(1));
    pool.park("b", newer);

    pool.trimIdle(1);
    scheduler.runDue();

    assertThat(oldest.stopped).isTrue();
    assertThat(newer.stopped).isFalse();
    assertThat(pool.takeIdle("b")).containsSame(newer);
  }

  @Test
  void aPodThatFailsToWarmIsStoppedAndTheNextStartsAfterABackoff() {
    WarmPool pool = pool(1, WarmPool.Refill.ON_END);
    pool.start();
    scheduler.runDue();
    FakePod first = launched.get(0);

    first.warm.completeExceptionally(new java.io.IOException("the process's output ended"));
    scheduler.runDue();

    assertThat(first.stopped).isTrue();
    assertThat(pool.warmPods()).isEmpty();
    scheduler.advance(WarmPool.FIRST_BACKOFF.minusMillis(1));
    assertThat(launched).hasSize(1);
    scheduler.advance(Duration.ofMillis(1));
    assertThat(launched).hasSize(2);

    // not warm within the warm timeout: the same, with twice the backoff
    scheduler.advance(WARM_TIMEOUT);
    assertThat(launched.get(1).stopped).isTrue();
    scheduler.advance(WarmPool.FIRST_BACKOFF.multipliedBy(2).minusMillis(1));
    assertThat(launched).hasSize(2);
    scheduler.advance(Duration.ofMillis(1));
    assertThat(launched).hasSize(3);
  }

  @Test
  void aCommandThatCannotStartBacksOffToo() {
    launchFails = true;
    WarmPool pool = pool(1, WarmPool.Refill.ON_END);
    pool.start();
    scheduler.runDue();
    launchFails = false;

    scheduler.advance(WarmPool.FIRST_BACKOFF.minusMillis(1));
    assertThat(launched).isEmpty();
    scheduler.advance(Duration.ofMillis(1));
    assertThat(launched).hasSize(1);
  }

  @Test
  void closeStopsWarmAndIdlePodsAndStartsNoMore() {
    WarmPool pool = pool(1, WarmPool.Refill.ON_TAKE);
    pool.start();
    scheduler.runDue();
    FakePod released = new FakePod();
    pool.park("k", released);

    pool.close();
    pool.ended();
    scheduler.runDue();

    assertThat(launched).hasSize(1);
    assertThat(launched.get(0).stopped).isTrue();
    assertThat(released.stopped).isTrue();
    pool.park("k", new FakePod());
    assertThat(pool.idleCount()).isZero();
  }

  @Test
  void stopAllStopsWarmAndIdlePodsAndStartsNoneUntilTheNextStage() {
    WarmPool pool = pool(1, WarmPool.Refill.ON_END);
    pool.start();
    scheduler.runDue();
    launched.get(0).warm.complete(null);
    FakePod released = new FakePod();
    pool.park("k", released);

    assertThat(pool.stopAll()).isEqualTo(1);
    pool.ended();
    scheduler.advance(Duration.ofMinutes(10));

    assertThat(launched).hasSize(1);
    assertThat(launched.get(0).stopped).isTrue();
    assertThat(released.stopped).isTrue();
    assertThat(pool.takeWarm(Duration.ofSeconds(3))).isEmpty(); // the next stage starts cold ...
    pool.ended();
    scheduler.advance(WarmPool.QUIET_BEFORE_REFILL);
    assertThat(launched).hasSize(2); // ... and once it ended, warm pods are kept again
  }

  @Test
  void withReuseOffAParkedPodIsStopped() {
    WarmPool pool = new WarmPool(0, Duration.ZERO, WARM_TIMEOUT, WarmPool.Refill.ON_END, FakePod::new, scheduler,
        scheduler::nanoTime, () -> stagesActive);
    FakePod released = new FakePod();

    pool.park("k", released);
    scheduler.runDue();

    assertThat(released.stopped).isTrue();
    assertThat(pool.takeIdle("k")).isEmpty();
  }
}
