package io.dbops.agent.runtime.local;

import io.dbops.agent.config.DelegateConfig;
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
import java.util.concurrent.atomic.AtomicBoolean;
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
 * <p>Thread-safe. Owns the processes it starts; {@link #close} stops them all.
 */
public final class LocalPodRuntime implements PodRuntime {
  private static final Logger log = LoggerFactory.getLogger(LocalPodRuntime.class);
  private static final Pattern POD_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,252}");
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);
  /** Starts of one pod when its ports keep being taken before its containers bind them. */
  static final int START_ATTEMPTS = 3;

  private final List<String> podProcessCommand;
  private final int maxPods;
  private final PodEnvironment environment;
  /** Pods started or starting; guarded by itself. */
  private final java.util.Set<String> admitted = new java.util.HashSet<>();
  /** The lite engine's log spool, in the pod's own directory: no other pod's lite engine looks there. */
  static final String LOG_SPOOL = "log-spool";
  private final Path stateDir;
  private final Duration readyTimeout;
  private final Readiness readiness;
  private final PortSource ports;
  private final NamedThreadFactory pumpThreads = new NamedThreadFactory("pod-output", true);
  private final Map<String, List<PodProcess>> pods = new ConcurrentHashMap<>();
  private final Map<String, InitStageOutput> outputs = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  /** What runs from the state directory, for the next delegate on it (pod-processes/). */
  private final PodProcessRecords records;
  /** Stops pods that outlive their deadline, as activeDeadlineSeconds does on Kubernetes. */
  private final ScheduledExecutorService deadlines =
      Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory("pod-deadline", true));
  private final Map<String, ScheduledFuture<?>> deadlineTimers = new ConcurrentHashMap<>();

  /**
   * @param local the pod process command (the role is appended), the pod limit and JVM options
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

  /** The default limits, this process's environment. */
  public LocalPodRuntime(List<String> podProcessCommand, Path stateDir, Duration readyTimeout) {
    this(local(podProcessCommand), stateDir, readyTimeout, System::getenv, LocalPodRuntime::freePort,
        UUID.randomUUID().toString());
  }

  /** The default limits, this process's environment, the given delegate instance. */
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
    this.podProcessCommand = local.podProcessCommand();
    this.maxPods = local.maxPods();
    this.environment = new PodEnvironment(delegateEnv, local);
    this.stateDir = stateDir;
    this.readyTimeout = readyTimeout;
    this.readiness = new Readiness(new HealthProbe(), readyTimeout);
    this.ports = ports;
    this.records = new PodProcessRecords(stateDir, instanceId);
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

  /** Stops every pod this runtime runs now; it keeps starting pods afterwards. */
  @Override
  public int stopAll() throws InterruptedException {
    List<String> running = List.copyOf(pods.keySet());
    for (String podName : running) {
      stop(podName);
    }
    return running.size();
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
    admit(podName);
    Masker masker = secrets.masker();
    boolean started = false;
    try {
      for (int attempt = 1; ; attempt++) {
        try {
          InitStageOutput output = launchPod(pod, secrets, masker);
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
    synchronized (admitted) {
      if (!admitted.contains(podName) && admitted.size() >= maxPods) {
        throw new PodException("Pod " + podName + " was not started: the local runtime already runs " + admitted.size()
            + " pod(s), its limit (DBOPS_LOCAL_MAX_PODS=" + maxPods + "); raise DBOPS_LOCAL_MAX_PODS on the delegate,"
            + " or run fewer stages at once");
      }
      admitted.add(podName);
    }
  }

  private void release(String podName) {
    synchronized (admitted) {
      admitted.remove(podName);
    }
  }

  private InitStageOutput launchPod(InitStagePayload pod, PodSecrets secrets, Masker masker)
      throws PodException, PortTaken, InterruptedException {
    String podName = pod.podName();
    Path podDir = stateDir.resolve("pods").resolve(podName);
    List<PodProcess> processes = new ArrayList<>();
    pods.put(podName, processes);
    if (pod.timeoutSeconds() > 0) {
      ScheduledFuture<?> previous = deadlineTimers.put(podName, deadlines.schedule(
          () -> expire(podName, processes, pod.timeoutSeconds()), pod.timeoutSeconds(), TimeUnit.SECONDS));
      if (previous != null) {
        previous.cancel(false);
      }
    }
    try {
      Files.createDirectories(podDir);
      int liteEnginePort = ports.next();
      // one step process per distinct image (here: one, as every container runs this distribution)
      StepContainerLayout layout = StepContainerLayout.of(pod, pod.image());
      List<Integer> containerPorts = new ArrayList<>();
      for (int i = 0; i < layout.containers(); i++) {
        containerPorts.add(ports.next());
      }
      processes.add(launch(podDir, "lite-engine", "lite-engine",
          environment.liteEngine(secrets, liteEnginePort, containerPorts, podDir.resolve(LOG_SPOOL)), liteEnginePort,
          masker));
      for (int i = 1; i <= layout.containers(); i++) {
        int port = containerPorts.get(i - 1);
        processes.add(launch(podDir, "step-" + i, "step-runtime", environment.stepRuntime(pod, secrets, port), port,
            masker));
      }
      readiness.await(podName, processes);
      InitStageOutput output = new InitStageOutput(podName, "127.0.0.1:" + liteEnginePort,
          layout.stepPorts(containerPorts));
      outputs.put(podName, output);
      log.info("Pod {} is ready: lite engine on {}, step containers on {} (steps on {})", podName, liteEnginePort,
          containerPorts, output.stepPorts());
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
      stop(podName);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void stop(String podName) throws InterruptedException {
    try {
      stopProcesses(podName);
    } finally {
      release(podName);
    }
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
    // SIGTERM everyone first so they shut down in parallel, then wait out one shared grace period.
    java.util.Set<ProcessHandle> trees = new java.util.LinkedHashSet<>();
    for (PodProcess p : processes) {
      p.process().descendants().forEach(d -> {
        trees.add(d);
        d.destroy();
      });
      p.process().destroy();
    }
    long deadline = System.nanoTime() + STOP_GRACE.toNanos();
    for (PodProcess p : processes) {
      long left = Math.max(0, deadline - System.nanoTime());
      if (!p.process().waitFor(left, TimeUnit.NANOSECONDS)) {
        log.warn("Container {} of pod {} ignored SIGTERM for {} s; killing it", p.container(), podName,
            STOP_GRACE.toSeconds());
        p.process().descendants().forEach(ProcessHandle::destroyForcibly);
        p.process().destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
      records.remove(p.recordFile());
    }
    // descendants that outlived their container (reparented when it exited)
    trees.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    log.info("Pod {} stopped", podName);
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    ExecutorShutdown.now(deadlines);
    for (String podName : List.copyOf(pods.keySet())) {
      try {
        stop(podName);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        pods.values().forEach(ps -> ps.forEach(p -> p.process().destroyForcibly()));
        return;
      }
    }
  }

  private PodProcess launch(Path podDir, String container, String role, Map<String, String> env, int port,
      Masker masker) throws IOException {
    List<String> command = new ArrayList<>(podProcessCommand);
    command.add(role);
    Path logFile = podDir.resolve(container + ".log");
    // Output goes through a masking pump, never straight to the file: a step may print a secret.
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    // From an empty environment: the delegate's own settings (its token above all) and host
    // credentials are not the pod's business (PodEnvironment).
    builder.environment().clear();
    builder.environment().putAll(env);
    Process process = builder.start();
    OutputPump pump;
    Path record;
    try {
      // recorded before anything else: a delegate killed from now on leaves a trace of it
      record = records.add(podDir.getFileName().toString(), container, process.toHandle());
      pump = OutputPump.start(process.getInputStream(), logFile, masker, Readiness.readyLine(port), pumpThreads);
    } catch (IOException e) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      throw e;
    }
    process.onExit().thenRun(() -> records.remove(record));
    log.debug("Started {} of pod {} on port {} (pid {})", container, podDir.getFileName(), port, process.pid());
    return new PodProcess(container, port, process, logFile, pump, record);
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
