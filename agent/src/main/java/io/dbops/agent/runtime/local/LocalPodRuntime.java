package io.dbops.agent.runtime.local;

import io.dbops.agent.config.LocalSettings;
import io.dbops.agent.runtime.PodException;
import io.dbops.agent.runtime.PodRuntime;
import io.dbops.agent.runtime.StepContainerLayout;
import io.dbops.agent.secrets.PodSecrets;
import io.dbops.protocol.InitStageOutput;
import io.dbops.protocol.InitStagePayload;
import io.dbops.secrets.Masker;
import io.dbops.support.ExecutorShutdown;
import io.dbops.support.NamedThreadFactory;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a build pod as local processes: one lite engine and one step runtime per step container,
 * each started as {@code podProcessCommand + role} on a free localhost port, with its output in
 * {@code <stateDir>/pods/<pod>/<container>.log}.
 *
 * <p>Each process starts from an empty environment ({@link PodEnvironment}, contract D): secret
 * values (resolved by the caller) reach the processes only there, never on a command line or in a
 * log, with {@code DBOPS_MASK_ENV} naming them so that each process masks them in what it prints
 * and sends; each process's output reaches its log file through an {@link OutputPump}, masked with
 * the pod's {@link io.dbops.secrets.Masker}. Every process gets the pod's credential ({@code
 * DBOPS_POD_TOKEN}) and listens on loopback only (no {@code DBOPS_BIND_ADDRESS}); pod JVMs get a
 * bounded heap ({@code JDK_JAVA_OPTIONS}, {@link LocalSettings#javaOpts}).
 *
 * <p>Every process is recorded in {@code <stateDir>/pod-processes/} while it runs ({@link
 * PodProcessRecords}); {@link #removeLeftovers} kills the processes that earlier delegate instances
 * on the same state directory left running. A pod is stopped as process trees: each container's
 * descendants, then the container process.
 *
 * <p>At most {@code DBOPS_LOCAL_MAX_PODS} pods run at once: starting one more fails at once with a
 * message naming the setting.
 *
 * <p>Warm pods and pod reuse ({@link WarmPool}, docs/protocol.md "Warm pods and pod reuse"): a
 * stage with one step container is served by a warm pod ({@code DBOPS_LOCAL_WARM_PODS}) bound to
 * it, or by the idle pod a released stage with the same reuse key left ({@code
 * DBOPS_LOCAL_POD_REUSE_SECONDS}); when binding fails it starts cold. Warm and idle pods do not
 * count against {@code DBOPS_LOCAL_MAX_PODS}, but running and idle pods together stay within it:
 * the oldest idle pod is stopped to make room for a stage.
 *
 * <p>Thread-safe. Owns the processes it starts; {@link #close} stops them all.
 *
 * <p>Over 500 lines on purpose: cold starts, warm bindings and releases share the pod maps, the
 * admission count and the deadline timers, and keeping them in one class keeps that state behind one
 * set of methods; what needs none of it lives in {@link WarmPool}, {@link WarmPod}, {@link
 * ContainerLauncher}, {@link ProcessTrees} and {@link Readiness}.
 */
public final class LocalPodRuntime implements PodRuntime {
  private static final Logger log = LoggerFactory.getLogger(LocalPodRuntime.class);
  private static final Pattern POD_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,252}");
  /** Starts of one pod when its ports keep being taken before its containers bind them. */
  static final int START_ATTEMPTS = 3;
  /** How long a bound pod may take to confirm a release. */
  static final Duration RELEASE_TIMEOUT = Duration.ofSeconds(10);
  /** How long a warm pod may take to warm up before it is stopped as stuck. */
  static final Duration WARM_TIMEOUT = Duration.ofMinutes(5);
  /** The most a warm pod may take to serve after its binding before the stage starts cold instead. */
  static final Duration MAX_BIND_TIMEOUT = Duration.ofSeconds(30);

  private final List<String> podProcessCommand;
  private final int maxPods;
  private final PodEnvironment environment;
  /** Pods started or starting; guarded by itself. */
  private final java.util.Set<String> admitted = new java.util.HashSet<>();
  /** The lite engine's log spool, in the pod's own directory: no other pod's lite engine looks there. */
  static final String LOG_SPOOL = "log-spool";
  private final Path stateDir;
  private final Readiness readiness;
  private final Readiness bindReadiness;
  private final Duration bindTimeout;
  private final PortSource ports;
  private final ContainerLauncher launcher;
  private final Map<String, List<PodProcess>> pods = new ConcurrentHashMap<>();
  private final Map<String, InitStageOutput> outputs = new ConcurrentHashMap<>();
  /** The pods a warm (or idle) pod serves, with their reuse key. */
  private final Map<String, Bound> bound = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  /** What runs from the state directory, for the next delegate on it (pod-processes/). */
  private final PodProcessRecords records;
  /** Stops pods that outlive their deadline, as activeDeadlineSeconds does on Kubernetes. */
  private final ScheduledExecutorService deadlines =
      Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory("pod-deadline", true));
  private final Map<String, ScheduledFuture<?>> deadlineTimers = new ConcurrentHashMap<>();
  /** Starts, expires and stops warm and idle pods; null without either. */
  private final ScheduledExecutorService warmThread;
  private final WarmPool pool;
  private final AtomicLong warmPodNumber = new AtomicLong();
  /** The last cold start's duration in nanoseconds (-1: none yet): is a warming pod worth waiting for. */
  private final AtomicLong lastColdStartNanos = new AtomicLong(-1);

  /** A pod served by a warm or idle pod. */
  private record Bound(WarmPod pod, String reuseKey) {}

  /**
   * @param local the pod process command (the role is appended), the pod limit, JVM options, warm
   *     pods and pod reuse
   * @param delegateEnv the delegate's environment, of which pods get only {@link PodEnvironment#PASSED}
   */
  public LocalPodRuntime(LocalSettings local, Path stateDir, Duration readyTimeout,
      Function<String, String> delegateEnv) {
    this(local, stateDir, readyTimeout, delegateEnv, LocalPodRuntime::freePort, UUID.randomUUID().toString());
  }

  /**
   * @param instanceId the delegate instance starting the pods, written in their process records
   */
  public LocalPodRuntime(LocalSettings local, Path stateDir, Duration readyTimeout,
      Function<String, String> delegateEnv, String instanceId) {
    this(local, stateDir, readyTimeout, delegateEnv, LocalPodRuntime::freePort, instanceId);
  }

  /** The default limits without warm pods or reuse, this process's environment. */
  public LocalPodRuntime(List<String> podProcessCommand, Path stateDir, Duration readyTimeout) {
    this(local(podProcessCommand), stateDir, readyTimeout, System::getenv, LocalPodRuntime::freePort,
        UUID.randomUUID().toString());
  }

  /** The default limits without warm pods or reuse, this process's environment, the given delegate instance. */
  LocalPodRuntime(List<String> podProcessCommand, Path stateDir, Duration readyTimeout, String instanceId) {
    this(local(podProcessCommand), stateDir, readyTimeout, System::getenv, LocalPodRuntime::freePort, instanceId);
  }

  LocalPodRuntime(List<String> podProcessCommand, Path stateDir, Duration readyTimeout, PortSource ports) {
    this(local(podProcessCommand), stateDir, readyTimeout, System::getenv, ports, UUID.randomUUID().toString());
  }

  LocalPodRuntime(LocalSettings local, Path stateDir, Duration readyTimeout,
      Function<String, String> delegateEnv, PortSource ports) {
    this(local, stateDir, readyTimeout, delegateEnv, ports, UUID.randomUUID().toString());
  }

  LocalPodRuntime(LocalSettings local, Path stateDir, Duration readyTimeout,
      Function<String, String> delegateEnv, PortSource ports, String instanceId) {
    this(local, stateDir, readyTimeout, delegateEnv, ports, instanceId, WarmPool.Refill.ON_END,
        min(readyTimeout, MAX_BIND_TIMEOUT));
  }

  /**
   * @param refill when a taken warm pod is replaced
   * @param bindTimeout how long a bound warm pod may take to serve before the stage starts cold
   */
  LocalPodRuntime(LocalSettings local, Path stateDir, Duration readyTimeout,
      Function<String, String> delegateEnv, PortSource ports, String instanceId, WarmPool.Refill refill,
      Duration bindTimeout) {
    this.podProcessCommand = local.podProcessCommand();
    this.maxPods = local.maxPods();
    this.environment = new PodEnvironment(delegateEnv, local);
    this.stateDir = stateDir;
    this.readiness = new Readiness(new HealthProbe(), readyTimeout);
    this.bindReadiness = new Readiness(new HealthProbe(), bindTimeout);
    this.bindTimeout = bindTimeout;
    this.ports = ports;
    this.records = new PodProcessRecords(stateDir, instanceId);
    this.launcher = new ContainerLauncher(podProcessCommand, records, new NamedThreadFactory("pod-output", true));
    boolean warm = !podProcessCommand.isEmpty() && (local.warmPods() > 0 || !local.podReuse().isZero());
    this.warmThread = warm ? Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory("pod-warm", true))
        : null;
    // A warm-up runs in the background and may take long on a loaded machine (it runs a step); only a
    // process that is not warm after WARM_TIMEOUT (or the ready timeout, if longer) is taken for stuck.
    this.pool = warm ? new WarmPool(local.warmPods(), local.podReuse(),
        readyTimeout.compareTo(WARM_TIMEOUT) > 0 ? readyTimeout : WARM_TIMEOUT, refill, this::launchWarmPod,
        warmThread, System::nanoTime, this::stagesActive) : null;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /**
   * Kills the pod processes (and their descendants) that earlier delegate instances on this state
   * directory left running, logging each at WARN, and deletes their records; a recorded pid now used
   * by another process is left alone. Call before connecting to the control plane.
   *
   * @return how many processes were killed
   */
  @Override
  public int removeLeftovers() {
    return new LeftoverProcesses(records).kill();
  }

  /** Starts the warm pods ({@code DBOPS_LOCAL_WARM_PODS}); call after {@link #removeLeftovers}. */
  @Override
  public void warmUp() {
    if (pool != null && !closed.get()) {
      pool.start();
    }
  }

  /** The warm (or warming) pods not taken yet, oldest first (tests). */
  List<WarmPod> warmPods() {
    return pool == null ? List.of() : pool.warmPods().stream().map(WarmPod.class::cast).toList();
  }

  private WarmPod launchWarmPod() throws IOException {
    return WarmPod.launch(launcher, stateDir, "warm-" + warmPodNumber.incrementAndGet() + "-"
        + UUID.randomUUID().toString().substring(0, 8), environment);
  }

  /**
   * Stops every pod this runtime runs now, its idle and its warm pods (none is started again until
   * the next stage); it keeps starting pods afterwards. Returns how many running and idle pods it stopped.
   */
  @Override
  public int stopAll() throws InterruptedException {
    int idle = pool == null ? 0 : pool.stopAll();
    List<String> running = List.copyOf(pods.keySet());
    for (String podName : running) {
      stop(podName, false);
    }
    return running.size() + idle;
  }

  private static LocalSettings local(List<String> podProcessCommand) {
    return new LocalSettings(podProcessCommand, LocalSettings.DEFAULT_MAX_PODS, null, null);
  }

  @Override
  public InitStageOutput start(InitStagePayload pod, PodSecrets secrets) throws PodException, InterruptedException {
    if (closed.get()) {
      throw new PodException("The delegate is shutting down; pod " + pod.podName() + " was not started");
    }
    String podName = pod.podName();
    if (podName == null || !POD_NAME.matcher(podName).matches()) {
      throw new PodException("Invalid pod name '" + podName + "': use letters, digits, '.', '_' and '-'");
    }
    InitStageOutput existing = outputs.get(podName);
    if (existing != null && pods.getOrDefault(podName, List.of()).stream().allMatch(p -> p.process().isAlive())) {
      return existing; // init of the same stage retried: the pod is already up
    }
    if (podProcessCommand.isEmpty()) {
      throw new PodException("The local runtime has no pod process command; start the delegate with the dbops CLI");
    }
    long startedNanos = System.nanoTime();
    admit(podName);
    Masker masker = secrets.masker();
    boolean started = false;
    try {
      InitStageOutput served = pool == null ? null : serveWarm(pod, secrets, masker, startedNanos);
      if (served != null) {
        started = true;
        return served;
      }
      long coldStarted = System.nanoTime();
      for (int attempt = 1; ; attempt++) {
        try {
          InitStageOutput output = launchPod(pod, secrets, masker, startedNanos);
          lastColdStartNanos.set(System.nanoTime() - coldStarted);
          started = true;
          return output;
        } catch (PortTaken e) {
          if (attempt >= START_ATTEMPTS) {
            throw new PodException(e.getMessage());
          }
          log.warn("Pod {}: a port chosen for it was taken before its container bound it; starting the pod again"
              + " on other ports (attempt {} of {})", podName, attempt + 1, START_ATTEMPTS);
        }
      }
    } finally {
      if (!started) {
        release(podName);
      }
    }
  }

  /** Counts the pod against DBOPS_LOCAL_MAX_PODS, or fails at once when the limit is reached. */
  private void admit(String podName) throws PodException {
    int running;
    synchronized (admitted) {
      if (!admitted.contains(podName) && admitted.size() >= maxPods) {
        throw new PodException("Pod " + podName + " was not started: the local runtime already runs " + admitted.size()
            + " pod(s), its limit (DBOPS_LOCAL_MAX_PODS=" + maxPods + "); raise DBOPS_LOCAL_MAX_PODS on the delegate,"
            + " or run fewer stages at once");
      }
      admitted.add(podName);
      running = admitted.size();
    }
    if (pool != null) {
      pool.trimIdle(maxPods - running); // idle pods never keep a stage from starting
    }
  }

  private void release(String podName) {
    synchronized (admitted) {
      admitted.remove(podName);
    }
  }

  /**
   * Serves the pod with the idle pod of its reuse key, else a warm pod; null when the pod starts
   * cold (several step containers, a variable read at JVM start, no pod to take, binding failed).
   */
  private InitStageOutput serveWarm(InitStagePayload pod, PodSecrets secrets, Masker masker, long startedNanos)
      throws InterruptedException {
    String podName = pod.podName();
    if (StepContainerLayout.of(pod, pod.image()).containers() != 1) {
      return null;
    }
    String jvmVariable = PodEnvironment.readAtJvmStart(pod, secrets);
    if (jvmVariable != null) {
      log.info("Pod {} starts cold: it sets {}, which a warm pod's JVMs read before the stage was known", podName,
          jvmVariable);
      return null;
    }
    String origin = "idle";
    WarmPool.Pod taken = pod.reuseKey() == null ? null : pool.takeIdle(pod.reuseKey()).orElse(null);
    if (taken == null) {
      origin = "warm";
      long cold = lastColdStartNanos.get();
      taken = pool.takeWarm(cold < 0 ? Duration.ofNanos(-1) : Duration.ofNanos(cold)).orElse(null);
    }
    if (taken == null && pod.reuseKey() != null && pool.reuses()) {
      // a stage that later stages may reuse starts in warm mode (bound at once, so its processes skip
      // the warm-up): unlike a cold pod it can then be released and kept for them
      origin = "fresh";
      try {
        taken = launchWarmPod();
      } catch (IOException e) {
        log.info("Pod {}: cannot start a reusable pod ({}); starting it cold", podName, e.getMessage());
        return null;
      }
    }
    if (taken == null) {
      return null;
    }
    WarmPod warm = (WarmPod) taken;
    try {
      InitStageOutput output = bind(pod, secrets, masker, warm, "fresh".equals(origin));
      log.info("Pod {} is ready on {} pod {} (pids {}) in {} ms: lite engine on {}, step container on {}", podName,
          origin, warm.id(), warm.pids(), millisSince(startedNanos), output.liteEngineAddress(),
          output.stepPorts().get(0));
      return output;
    } catch (PodException | PortTaken | IOException | RuntimeException e) {
      unbind(podName);
      log.info("Pod {}: the {} pod {} could not serve it ({}); starting it cold", podName, origin, warm.id(),
          masker.apply(String.valueOf(e.getMessage())));
      warm.stop();
      pool.ended();
      return null;
    }
  }

  /**
   * @param fresh the pod was just started for this stage: its binding is written at once (so it skips
   *     its warm-up) and it gets a cold start's ready timeout
   */
  private InitStageOutput bind(InitStagePayload pod, PodSecrets secrets, Masker masker, WarmPod warm, boolean fresh)
      throws PodException, PortTaken, IOException, InterruptedException {
    String podName = pod.podName();
    if (!fresh && !warm.warm().isDone()) {
      try {
        warm.warm().get(bindTimeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException | TimeoutException e) {
        throw new PodException("it did not become warm: " + e);
      }
    }
    if (!warm.isAlive()) {
      throw new PodException("a process of it has exited");
    }
    Path podDir = Files.createDirectories(stateDir.resolve("pods").resolve(podName));
    int liteEnginePort = ports.next();
    int stepPort = ports.next();
    Map<String, String> liteEngine = PodEnvironment.binding(
        environment.liteEngine(secrets, liteEnginePort, List.of(stepPort), podDir.resolve(LOG_SPOOL)),
        environment.liteEngineWarm());
    Map<String, String> step = PodEnvironment.binding(environment.stepRuntime(pod, secrets, stepPort),
        environment.stepRuntimeWarm());
    bound.put(podName, new Bound(warm, pod.reuseKey()));
    List<PodProcess> processes = warm.bind(podDir, liteEngine, liteEnginePort, step, stepPort, masker);
    pods.put(podName, processes);
    scheduleDeadline(pod, processes); // from the binding, as a cold pod's from its start
    (fresh ? readiness : bindReadiness).await(podName, processes);
    InitStageOutput output = new InitStageOutput(podName, "127.0.0.1:" + liteEnginePort,
        StepContainerLayout.of(pod, pod.image()).stepPorts(List.of(stepPort)));
    outputs.put(podName, output);
    return output;
  }

  /** Forgets a pod a warm pod served (its processes are stopped by the caller). */
  private void unbind(String podName) {
    bound.remove(podName);
    pods.remove(podName);
    outputs.remove(podName);
    ScheduledFuture<?> timer = deadlineTimers.remove(podName);
    if (timer != null) {
      timer.cancel(false);
    }
  }

  private void scheduleDeadline(InitStagePayload pod, List<PodProcess> processes) {
    if (pod.timeoutSeconds() > 0) {
      String podName = pod.podName();
      ScheduledFuture<?> previous = deadlineTimers.put(podName, deadlines.schedule(
          () -> expire(podName, processes, pod.timeoutSeconds()), pod.timeoutSeconds(), TimeUnit.SECONDS));
      if (previous != null) {
        previous.cancel(false);
      }
    }
  }

  private static long millisSince(long startedNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
  }

  private InitStageOutput launchPod(InitStagePayload pod, PodSecrets secrets, Masker masker, long startedNanos)
      throws PodException, PortTaken, InterruptedException {
    String podName = pod.podName();
    Path podDir = stateDir.resolve("pods").resolve(podName);
    List<PodProcess> processes = new ArrayList<>();
    pods.put(podName, processes);
    scheduleDeadline(pod, processes);
    try {
      Files.createDirectories(podDir);
      int liteEnginePort = ports.next();
      // one step process per distinct image (here: one, as every container runs this distribution)
      StepContainerLayout layout = StepContainerLayout.of(pod, pod.image());
      List<Integer> containerPorts = new ArrayList<>();
      for (int i = 0; i < layout.containers(); i++) {
        containerPorts.add(ports.next());
      }
      processes.add(launcher.launch(podDir, podName, "lite-engine", "lite-engine",
          environment.liteEngine(secrets, liteEnginePort, containerPorts, podDir.resolve(LOG_SPOOL)), liteEnginePort,
          masker, Readiness.readyLine(liteEnginePort)));
      for (int i = 1; i <= layout.containers(); i++) {
        int port = containerPorts.get(i - 1);
        processes.add(launcher.launch(podDir, podName, "step-" + i, "step-runtime",
            environment.stepRuntime(pod, secrets, port), port, masker, Readiness.readyLine(port)));
      }
      readiness.await(podName, processes);
      InitStageOutput output = new InitStageOutput(podName, "127.0.0.1:" + liteEnginePort,
          layout.stepPorts(containerPorts));
      outputs.put(podName, output);
      log.info("Pod {} is ready in {} ms: lite engine on {}, step containers on {} (steps on {})", podName,
          millisSince(startedNanos), liteEnginePort, containerPorts, output.stepPorts());
      return output;
    } catch (IOException e) {
      stopProcesses(podName);
      throw new PodException("Cannot start pod " + podName + " in " + podDir + ": " + e.getMessage());
    } catch (PodException | PortTaken | InterruptedException | RuntimeException e) {
      stopProcesses(podName);
      throw e;
    }
  }

  /** The pod's deadline passed: stops it, unless it was stopped (or started again) since. */
  private void expire(String podName, List<PodProcess> processes, int timeoutSeconds) {
    if (pods.get(podName) != processes) {
      return;
    }
    log.warn("Pod {} reached its deadline of {} s (the stage timeout) and is being stopped", podName, timeoutSeconds);
    try {
      stop(podName, false);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Stops the pod; a pod with a reuse key that a warm pod served is released instead and kept idle
   * for the next stage with its key ({@code DBOPS_LOCAL_POD_REUSE_SECONDS}).
   */
  @Override
  public void stop(String podName) throws InterruptedException {
    stop(podName, true);
  }

  private void stop(String podName, boolean mayKeep) throws InterruptedException {
    try {
      Bound b = bound.remove(podName);
      if (b != null && mayKeep && b.reuseKey() != null && pool.reuses() && keep(podName, b)) {
        return;
      }
      stopProcesses(podName);
      if (b != null) {
        b.pod().stop(); // already stopped above; removes the warm pod's own files
      }
    } finally {
      release(podName);
      if (pool != null) {
        pool.ended(); // every stage's end: the pool refills once stages are quiet
      }
    }
  }

  @Override
  public int podRoom() {
    synchronized (admitted) {
      return Math.max(0, maxPods - admitted.size());
    }
  }

  /** Whether a stage's pod is starting or running. */
  private boolean stagesActive() {
    synchronized (admitted) {
      return !admitted.isEmpty();
    }
  }

  /** Releases a bound pod and parks it under its reuse key; false when it must be stopped instead. */
  private boolean keep(String podName, Bound b) throws InterruptedException {
    if (closed.get() || !b.pod().isAlive()) {
      return false;
    }
    List<PodProcess> processes = pods.get(podName);
    unbind(podName);
    if (!b.pod().release(RELEASE_TIMEOUT)) {
      log.info("Pod {}: its processes did not confirm the end of the stage within {} s; stopping them", podName,
          RELEASE_TIMEOUT.toSeconds());
      pods.put(podName, processes == null ? List.of() : processes);
      return false;
    }
    pool.park(b.reuseKey(), b.pod());
    log.info("Pod {} released: its processes (pids {}) are kept for the next stage with its reuse key", podName,
        b.pod().pids());
    return true;
  }

  /** Stops the pod's processes; its slot stays taken (a start attempted again). */
  private void stopProcesses(String podName) throws InterruptedException {
    ScheduledFuture<?> timer = deadlineTimers.remove(podName);
    if (timer != null) {
      timer.cancel(false);
    }
    outputs.remove(podName);
    List<PodProcess> processes = pods.remove(podName);
    if (processes == null) {
      return;
    }
    ProcessTrees.stop(podName, processes, records);
    log.info("Pod {} stopped", podName);
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    ExecutorShutdown.now(deadlines);
    if (pool != null) {
      pool.close();
      ExecutorShutdown.now(warmThread);
    }
    for (String podName : List.copyOf(pods.keySet())) {
      try {
        stop(podName, false);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        pods.values().forEach(ProcessTrees::kill);
        return;
      }
    }
  }

  /**
   * A port free right now. Another process may take it before the container binds it; the
   * container then exits on the bind, and the pod is started again on other ports (at most
   * {@link #START_ATTEMPTS} times in all).
   */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }

  /** Where the containers' ports come from; replaced in tests. */
  @FunctionalInterface
  interface PortSource {
    int next() throws IOException;
  }
}
