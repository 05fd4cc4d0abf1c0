package io.dbops.agent.runtime.local;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local runtime's pods kept ahead of stages: up to {@code size} <em>warm</em> pods (started,
 * bound to no stage) and the <em>idle</em> pods of released stages, each kept under its stage's
 * reuse key for {@code idleFor}.
 *
 * <ul>
 *   <li>{@link #takeWarm} hands out a warm pod, or a warming one when it should be warm sooner than
 *       a cold start would be ready; the pool starts a replacement when the pod is taken ({@link
 *       Refill#ON_TAKE}) or when the runtime reports it ended ({@link #ended}, {@link
 *       Refill#ON_END}).
 *   <li>{@link #park} keeps a released pod under its key; {@link #takeIdle} hands it to the next
 *       stage with the same key only. An idle pod is stopped after {@code idleFor}, when more than
 *       {@link #trimIdle} allows are idle (oldest first), and on {@link #stopAll} and {@link #close}.
 *   <li>A pod that fails to warm (exits, or is not warm within {@code warmTimeout}) is stopped and
 *       the next one starts after a backoff (from {@link #FIRST_BACKOFF}, doubling to {@link
 *       #MAX_BACKOFF}), so a pod command that cannot warm does not loop.
 * </ul>
 *
 * <p>Thread-safe (one lock). Pods are started and stopped on {@code scheduler} (the runtime's
 * {@code pod-warm} thread, or a manual one in tests), never under the lock. Owns the pods it
 * holds; {@link #close} stops them. Does not own {@code scheduler}.
 */
final class WarmPool implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WarmPool.class);
  static final Duration FIRST_BACKOFF = Duration.ofSeconds(5);
  static final Duration MAX_BACKOFF = Duration.ofMinutes(5);
  /**
   * How long no stage may start or run before a taken pod is replaced ({@link Refill#ON_END}): a
   * warm-up runs steps, and on a small machine it would compete for the CPU with the stage, or with
   * the next stage of the same pipeline, which usually starts within a second of the last one's end.
   */
  static final Duration QUIET_BEFORE_REFILL = Duration.ofSeconds(5);

  /** What the pool holds. */
  interface Pod {
    String id();

    /** Completes when the pod is warm; exceptionally when it cannot become warm. */
    CompletableFuture<Void> warm();

    boolean isAlive();

    /** Stops the pod's processes; idempotent, may block up to the stop grace. */
    void stop();
  }

  /** Starts a warm pod; called on the scheduler's thread. */
  @FunctionalInterface
  interface Launcher {
    Pod launch() throws Exception;
  }

  /** When a taken warm pod is replaced. */
  enum Refill {
    /** At once: the replacement warms while the stage runs (they share the CPU). */
    ON_TAKE,
    /**
     * Once stages have been quiet for {@link #QUIET_BEFORE_REFILL} after a stage's pod ended
     * (stopped or parked): stages have the CPU to themselves.
     */
    ON_END
  }

  private record Warming(Pod pod, long launchedNanos) {}

  private record Idle(Pod pod, String key, long parkedNanos, Future<?> expiry) {}

  private final int size;
  private final Duration idleFor;
  private final Duration warmTimeout;
  private final Refill refill;
  private final Launcher launcher;
  private final ScheduledExecutorService scheduler;
  private final LongSupplier nanoTime;
  private final java.util.function.BooleanSupplier stagesActive;
  private final Object lock = new Object();
  private final List<Warming> warmPods = new ArrayList<>(); // guarded by lock; warm or warming, oldest first
  private final Map<String, Deque<Idle>> idle = new HashMap<>(); // guarded by lock
  private int launching; // guarded by lock: launches scheduled, not yet in warmPods
  private long lastWarmupNanos = -1; // guarded by lock
  private Duration backoff = Duration.ZERO; // guarded by lock
  private long nextLaunchNanos; // guarded by lock: no launch before (backoff)
  private boolean closed; // guarded by lock
  private boolean suspended; // guarded by lock: after stopAll, until the next stage

  /**
   * @param size how many warm pods to keep ({@code DBOPS_LOCAL_WARM_PODS}); 0 keeps none
   * @param idleFor how long a parked pod waits for its key ({@code DBOPS_LOCAL_POD_REUSE_SECONDS})
   * @param warmTimeout how long a pod may take to become warm
   * @param stagesActive whether a stage's pod is starting or running now (the runtime's)
   */
  WarmPool(int size, Duration idleFor, Duration warmTimeout, Refill refill, Launcher launcher,
      ScheduledExecutorService scheduler, LongSupplier nanoTime, java.util.function.BooleanSupplier stagesActive) {
    this.stagesActive = stagesActive;
    this.size = size;
    this.idleFor = idleFor;
    this.warmTimeout = warmTimeout;
    this.refill = refill;
    this.launcher = launcher;
    this.scheduler = scheduler;
    this.nanoTime = nanoTime;
  }

  /** Starts warming up to {@code size} pods. */
  void start() {
    fill();
  }

  /**
   * A warm pod for a stage, or a warming one when its remaining warm-up (judged by the last one)
   * is shorter than {@code coldStart}, the time a cold start takes; empty when neither, or when
   * there is nothing to judge by yet (no warm-up finished, or {@code coldStart} negative: unknown).
   */
  Optional<Pod> takeWarm(Duration coldStart) {
    resume();
    Pod taken = null;
    synchronized (lock) {
      long now = nanoTime.getAsLong();
      Iterator<Warming> it = warmPods.iterator();
      Warming warming = null;
      while (it.hasNext()) {
        Warming w = it.next();
        if (w.pod().warm().isDone() && !w.pod().warm().isCompletedExceptionally() && w.pod().isAlive()) {
          it.remove();
          taken = w.pod();
          break;
        }
        if (!w.pod().warm().isDone() && warming == null) {
          warming = w;
        }
      }
      if (taken == null && warming != null && soonerThanCold(warming, now, coldStart)) {
        warmPods.remove(warming);
        taken = warming.pod();
      }
    }
    if (taken != null && refill == Refill.ON_TAKE) {
      fill();
    }
    return Optional.ofNullable(taken);
  }

  private boolean soonerThanCold(Warming w, long now, Duration coldStart) {
    if (lastWarmupNanos < 0 || coldStart.isNegative()) {
      // nothing to judge by: a warm-up does more than a cold start (it runs a step), so it may well be
      // slower; measured at load 25 on 2 cores, a first warm-up took over a minute
      return false;
    }
    long remaining = lastWarmupNanos - (now - w.launchedNanos());
    return remaining <= coldStart.toNanos();
  }

  /**
   * A stage's pod ended (stopped, failed to bind, or parked): with {@link Refill#ON_END} the pool
   * refills once no stage is starting or running {@link #QUIET_BEFORE_REFILL} later (a stage that
   * is then running reports its own end).
   */
  void ended() {
    if (refill == Refill.ON_END) {
      schedule(this::refillIfQuiet, QUIET_BEFORE_REFILL);
    }
  }

  private void refillIfQuiet() {
    if (!stagesActive.getAsBoolean()) {
      fill();
    }
  }

  /**
   * Keeps a released pod under {@code key} for {@code idleFor}; stops it at once when reuse is off
   * or the pool is closed.
   */
  void park(String key, Pod pod) {
    boolean keep;
    synchronized (lock) {
      keep = !closed && !idleFor.isZero();
      if (keep) {
        Idle[] entry = new Idle[1];
        Future<?> expiry = schedule(() -> expire(entry[0]), idleFor);
        entry[0] = new Idle(pod, key, nanoTime.getAsLong(), expiry);
        idle.computeIfAbsent(key, k -> new ArrayDeque<>()).addLast(entry[0]);
      }
    }
    if (!keep) {
      stopLater(pod);
    }
  }

  /** Whether released pods are kept for their key ({@code idleFor} is not zero). */
  boolean reuses() {
    return !idleFor.isZero();
  }

  /** The most recently parked live pod of {@code key}, if any; never a pod of another key. */
  Optional<Pod> takeIdle(String key) {
    resume();
    List<Pod> dead = new ArrayList<>();
    Pod taken = null;
    synchronized (lock) {
      Deque<Idle> pods = idle.get(key);
      while (pods != null && !pods.isEmpty() && taken == null) {
        Idle i = pods.pollLast();
        i.expiry().cancel(false);
        if (i.pod().isAlive()) {
          taken = i.pod();
        } else {
          dead.add(i.pod());
        }
      }
      if (pods != null && pods.isEmpty()) {
        idle.remove(key);
      }
    }
    dead.forEach(this::stopLater);
    return Optional.ofNullable(taken);
  }

  int idleCount() {
    synchronized (lock) {
      return idle.values().stream().mapToInt(Deque::size).sum();
    }
  }

  /** Stops the oldest idle pods until at most {@code most} are idle. */
  void trimIdle(int most) {
    List<Idle> evicted = new ArrayList<>();
    synchronized (lock) {
      while (idle.values().stream().mapToInt(Deque::size).sum() > Math.max(0, most)) {
        Idle oldest = idle.values().stream().map(Deque::peekFirst)
            .min((a, b) -> Long.compare(a.parkedNanos(), b.parkedNanos())).orElseThrow();
        removeIdle(oldest);
        evicted.add(oldest);
      }
    }
    evicted.forEach(i -> {
      log.info("Stopping idle pod {} (reuse key {}) to make room for a stage (DBOPS_LOCAL_MAX_PODS)", i.pod().id(),
          i.key());
      stopLater(i.pod());
    });
  }

  /**
   * Stops every warm and idle pod and starts no more until the next stage asks for one ({@link
   * #takeWarm}, {@link #takeIdle}): a revoked delegate keeps nothing running. Returns how many idle
   * pods it stopped.
   */
  int stopAll() {
    List<Pod> warm;
    List<Idle> parked;
    synchronized (lock) {
      suspended = true;
      warm = warmPods.stream().map(Warming::pod).toList();
      warmPods.clear();
      parked = idle.values().stream().flatMap(Deque::stream).toList();
      idle.clear();
    }
    parked.forEach(i -> i.expiry().cancel(false));
    warm.forEach(Pod::stop);
    parked.forEach(i -> i.pod().stop());
    return parked.size();
  }

  /**
   * Before the first stage after {@link #stopAll}: warm pods are kept again, from the end of that
   * stage (its {@link #ended}) once stages are quiet.
   */
  private void resume() {
    synchronized (lock) {
      suspended = false;
    }
  }

  /** Warm (or warming) pods not taken, for tests. */
  List<Pod> warmPods() {
    synchronized (lock) {
      return warmPods.stream().map(Warming::pod).toList();
    }
  }

  private void expire(Idle entry) {
    boolean removed;
    synchronized (lock) {
      removed = removeIdle(entry);
    }
    if (removed) {
      log.info("Idle pod {} was not reused within {} s (DBOPS_LOCAL_POD_REUSE_SECONDS); stopping it",
          entry.pod().id(), idleFor.toSeconds());
      entry.pod().stop();
    }
  }

  private boolean removeIdle(Idle entry) {
    Deque<Idle> pods = idle.get(entry.key());
    boolean removed = pods != null && pods.remove(entry);
    if (pods != null && pods.isEmpty()) {
      idle.remove(entry.key());
    }
    entry.expiry().cancel(false);
    return removed;
  }

  /** Schedules launches up to {@code size}, after the backoff of a failed warm-up. */
  private void fill() {
    synchronized (lock) {
      if (closed || suspended) {
        return;
      }
      long delay = Math.max(0, nextLaunchNanos - nanoTime.getAsLong());
      while (warmPods.size() + launching < size) {
        launching++;
        schedule(this::launch, Duration.ofNanos(delay));
      }
    }
  }

  private void launch() {
    synchronized (lock) {
      launching--;
      if (closed || suspended) {
        return;
      }
    }
    long launched = nanoTime.getAsLong();
    Pod pod;
    try {
      pod = launcher.launch();
    } catch (Exception e) {
      failed(null, "it could not be started: " + e.getMessage());
      return;
    }
    boolean keep;
    synchronized (lock) {
      keep = !closed && !suspended;
      if (keep) {
        warmPods.add(new Warming(pod, launched));
      }
    }
    if (!keep) {
      pod.stop();
      return;
    }
    Future<?> timeout = schedule(() -> {
      if (!pod.warm().isDone()) {
        pod.warm().completeExceptionally(new java.util.concurrent.TimeoutException(
            "not warm within " + warmTimeout.toSeconds() + " s"));
      }
    }, warmTimeout);
    pod.warm().whenComplete((ok, error) -> {
      timeout.cancel(false);
      if (error == null) {
        warmed(launched);
        log.info("Warm pod {} is warm after {} ms: the next stage with one step container binds it", pod.id(),
            TimeUnit.NANOSECONDS.toMillis(nanoTime.getAsLong() - launched));
      } else {
        failed(pod, error.getMessage());
      }
    });
  }

  private void warmed(long launched) {
    synchronized (lock) {
      lastWarmupNanos = nanoTime.getAsLong() - launched;
      backoff = Duration.ZERO;
    }
  }

  private void failed(Pod pod, String reason) {
    Duration wait;
    synchronized (lock) {
      boolean held = pod == null || warmPods.removeIf(w -> w.pod() == pod);
      if (!held) {
        return; // taken while warming: the stage that took it handles the failure
      }
      backoff = backoff.isZero() ? FIRST_BACKOFF : min(backoff.multipliedBy(2), MAX_BACKOFF);
      wait = backoff;
      nextLaunchNanos = nanoTime.getAsLong() + backoff.toNanos();
    }
    log.warn("A warm pod{} failed to warm up ({}); stages start cold meanwhile, the next warm pod starts in {} s",
        pod == null ? "" : " (" + pod.id() + ")", reason, wait.toSeconds());
    if (pod != null) {
      stopLater(pod);
    }
    fill();
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private void stopLater(Pod pod) {
    try {
      scheduler.execute(pod::stop);
    } catch (RejectedExecutionException e) {
      pod.stop();
    }
  }

  /** Runs {@code task} after {@code delay} on the scheduler; nothing when the scheduler is shut down. */
  private Future<?> schedule(Runnable task, Duration delay) {
    Runnable guarded = () -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        log.error("Warm pod housekeeping failed", e);
      }
    };
    try {
      return scheduler.schedule(guarded, delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.completedFuture(null); // the runtime is closing
    }
  }

  /** Stops every warm and idle pod and starts no more. Idempotent. */
  @Override
  public void close() {
    List<Pod> all = new ArrayList<>();
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      warmPods.forEach(w -> all.add(w.pod()));
      warmPods.clear();
      idle.values().forEach(d -> d.forEach(i -> {
        i.expiry().cancel(false);
        all.add(i.pod());
      }));
      idle.clear();
    }
    all.forEach(Pod::stop);
  }

  @Override
  public String toString() {
    synchronized (lock) {
      Map<String, Integer> idleByKey = new LinkedHashMap<>();
      idle.forEach((k, v) -> idleByKey.put(k, v.size()));
      return "WarmPool[warm=" + warmPods.size() + ", idle=" + idleByKey + "]";
    }
  }
}
