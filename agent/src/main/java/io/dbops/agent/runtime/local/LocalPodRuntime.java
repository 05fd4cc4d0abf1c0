package io.dbops.agent.runtime.local;

import io.dbops.agent.runtime.PodException;
import io.dbops.agent.runtime.PodRuntime;
import io.dbops.agent.secrets.PodSecrets;
import io.dbops.protocol.InitStageOutput;
import io.dbops.protocol.InitStagePayload;
import io.dbops.secrets.MaskEnvironment;
import io.dbops.secrets.Masker;
import io.dbops.support.ExecutorShutdown;
import io.dbops.support.NamedThreadFactory;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a build pod as local processes: one lite engine and one step runtime per step container,
 * each started as {@code podProcessCommand + role} on a free localhost port, with its output in
 * {@code <stateDir>/pods/<pod>/<container>.log}.
 *
 * <p>Secret values (resolved by the caller) are passed only in the processes' environment (the
 * lite engine's and the step containers'), never on a command line or in a log, with {@code
 * DBOPS_MASK_ENV} naming them so that each process masks them in what it prints and sends. Each
 * process's output reaches its log file through an {@link OutputPump}, masked with the pod's
 * {@link io.dbops.secrets.Masker}, so the files never hold a value either. The delegate's own
 * settings ({@code DBOPS_TOKEN}, {@code DBOPS_SERVER_URL}, ...) are not inherited.
 *
 * <p>Thread-safe. Owns the processes it starts; {@link #close} stops them all.
 */
public final class LocalPodRuntime implements PodRuntime {
  private static final Logger log = LoggerFactory.getLogger(LocalPodRuntime.class);
  private static final Pattern POD_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,252}");
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);
  private static final int LOG_TAIL_LINES = 20;
  /** Starts of one pod when its ports keep being taken before its containers bind them. */
  static final int START_ATTEMPTS = 3;
  /** The delegate's own settings; other DBOPS_* variables (DBOPS_LOG_FORMAT, ...) pass through. */
  private static final List<String> DELEGATE_SETTINGS = List.of("DBOPS_TOKEN", "DBOPS_SERVER_URL",
      "DBOPS_DELEGATE_NAME", "DBOPS_TAGS", "DBOPS_CAPACITY", "DBOPS_RUNTIME", "DBOPS_STATE_DIR");

  private final List<String> podProcessCommand;
  private final Path stateDir;
  private final Duration readyTimeout;
  private final PortSource ports;
  private final HealthProbe probe = new HealthProbe();
  private final NamedThreadFactory pumpThreads = new NamedThreadFactory("pod-output", true);
  private final Map<String, List<PodProcess>> pods = new ConcurrentHashMap<>();
  private final Map<String, InitStageOutput> outputs = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  /** Stops pods that outlive their deadline, as activeDeadlineSeconds does on Kubernetes. */
  private final ScheduledExecutorService deadlines =
      Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory("pod-deadline", true));
  private final Map<String, ScheduledFuture<?>> deadlineTimers = new ConcurrentHashMap<>();

  /**
   * @param podProcessCommand command prefix starting one container process; the role is appended
   */
  public LocalPodRuntime(List<String> podProcessCommand, Path stateDir, Duration readyTimeout) {
    this(podProcessCommand, stateDir, readyTimeout, LocalPodRuntime::freePort);
  }

  LocalPodRuntime(List<String> podProcessCommand, Path stateDir, Duration readyTimeout, PortSource ports) {
    this.podProcessCommand = List.copyOf(podProcessCommand);
    this.stateDir = stateDir;
    this.readyTimeout = readyTimeout;
    this.ports = ports;
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
    Map<String, String> stepEnv = new LinkedHashMap<>(pod.env());
    stepEnv.putAll(secrets.env());
    stepEnv.put(MaskEnvironment.VARIABLE, MaskEnvironment.names(secrets.env().keySet()));
    Map<String, String> liteEngineEnv = new LinkedHashMap<>(secrets.env());
    liteEngineEnv.put(MaskEnvironment.VARIABLE, MaskEnvironment.names(secrets.env().keySet()));
    Masker masker = secrets.masker();
    for (int attempt = 1; ; attempt++) {
      try {
        return launchPod(pod, stepEnv, liteEngineEnv, masker);
      } catch (PortTaken e) {
        if (attempt >= START_ATTEMPTS) {
          throw new PodException(e.getMessage());
        }
        log.warn("Pod {}: a port chosen for it was taken before its container bound it; starting the pod again"
            + " on other ports (attempt {} of {})", podName, attempt + 1, START_ATTEMPTS);
      }
    }
  }

  private InitStageOutput launchPod(InitStagePayload pod, Map<String, String> stepEnv,
      Map<String, String> liteEngineEnv, Masker masker) throws PodException, PortTaken, InterruptedException {
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
      liteEngineEnv.put("DBOPS_LITE_ENGINE_PORT", Integer.toString(liteEnginePort));
      processes.add(launch(podDir, "lite-engine", "lite-engine", liteEngineEnv, liteEnginePort, masker));
      List<Integer> stepPorts = new ArrayList<>();
      for (int i = 1; i <= pod.stepContainers(); i++) {
        int port = ports.next();
        Map<String, String> env = new LinkedHashMap<>(stepEnv);
        env.put("DBOPS_STEP_PORT", Integer.toString(port));
        processes.add(launch(podDir, "step-" + i, "step-runtime", env, port, masker));
        stepPorts.add(port);
      }
      awaitReady(podName, processes);
      InitStageOutput output = new InitStageOutput(podName, "127.0.0.1:" + liteEnginePort, stepPorts);
      outputs.put(podName, output);
      log.info("Pod {} is ready: lite engine on {}, step containers on {}", podName, liteEnginePort, stepPorts);
      return output;
    } catch (IOException e) {
      stop(podName);
      throw new PodException("Cannot start pod " + podName + " in " + podDir + ": " + e.getMessage());
    } catch (PodException | PortTaken | InterruptedException | RuntimeException e) {
      stop(podName);
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
    for (PodProcess p : processes) {
      p.process().descendants().forEach(ProcessHandle::destroy);
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
    }
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
    // The delegate's own settings (its token above all) are not the pod's business.
    builder.environment().keySet().removeAll(DELEGATE_SETTINGS);
    builder.environment().putAll(env);
    Process process = builder.start();
    OutputPump pump;
    try {
      pump = OutputPump.start(process.getInputStream(), logFile, masker, pumpThreads);
    } catch (IOException e) {
      process.destroyForcibly();
      throw e;
    }
    log.debug("Started {} of pod {} on port {} (pid {})", container, podDir.getFileName(), port, process.pid());
    return new PodProcess(container, port, process, logFile, pump);
  }

  /**
   * Polls each container's health service until SERVING. Polling (with short, growing sleeps) is
   * the readiness check itself, as a kubelet probe would do; the whole wait is bounded by
   * readyTimeout, and a process that exits ends it at once.
   */
  private void awaitReady(String podName, List<PodProcess> processes)
      throws PodException, PortTaken, InterruptedException {
    long started = System.nanoTime();
    long deadline = started + readyTimeout.toNanos();
    for (PodProcess p : processes) {
      long sleepMillis = 50;
      while (true) {
        if (!p.process().isAlive()) {
          String tail = p.logTail(LOG_TAIL_LINES);
          String message = "Container " + p.container() + " of pod " + podName + " exited with code "
              + p.process().exitValue() + " before it was ready. Last lines of " + p.logFile() + ":\n" + tail;
          if (tail.contains("Address already in use")) {
            throw new PortTaken(message);
          }
          throw new PodException(message);
        }
        if (probe.isServing(p.port())) {
          break;
        }
        if (System.nanoTime() > deadline) {
          throw new PodException("Container " + p.container() + " of pod " + podName + " did not answer health"
              + " checks on port " + p.port() + " within " + readyTimeout.toSeconds() + " s. Last lines of "
              + p.logFile() + ":\n" + p.logTail(LOG_TAIL_LINES));
        }
        Thread.sleep(sleepMillis);
        sleepMillis = Math.min(sleepMillis * 2, 500);
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

  /** A container exited because its port was taken between choosing it and binding it. */
  private static final class PortTaken extends Exception {
    private static final long serialVersionUID = 1L;

    PortTaken(String message) {
      super(message);
    }
  }
}
