package io.dbops.agent.runtime.local;

import io.dbops.secrets.Masker;
import io.dbops.support.WarmStart;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pod started ahead of its stage: a lite engine and ONE step runtime started with {@code
 * DBOPS_WARM_START=stdin} ({@link WarmStart}, contract in docs/protocol.md "Warm pods and pod
 * reuse"). Until it is bound its output goes to {@code <stateDir>/warm-pods/<id>/}; {@link #bind}
 * moves the output to the pod's own log files and masker and writes the binding lines to the
 * processes' stdin; {@link #release} ends a binding and keeps the processes for the next one.
 *
 * <p>Not for concurrent use: the pool hands a warm pod to one stage at a time. {@link #stop} may be
 * called from any thread and is idempotent.
 */
final class WarmPod implements WarmPool.Pod {
  private static final Logger log = LoggerFactory.getLogger(WarmPod.class);
  static final String LITE_ENGINE = "lite-engine";
  static final String STEP = "step-1";
  static final String DIRECTORY = "warm-pods";

  private final String id;
  private final Path warmDir;
  private final PodProcess liteEngine;
  private final PodProcess step;
  private final PodProcessRecords records;
  private final CompletableFuture<Void> warm;
  private volatile Masker masker = Masker.NONE;

  private WarmPod(String id, Path warmDir, PodProcess liteEngine, PodProcess step, PodProcessRecords records) {
    this.id = id;
    this.warmDir = warmDir;
    this.liteEngine = liteEngine;
    this.step = step;
    this.records = records;
    this.warm = CompletableFuture.allOf(
        liteEngine.pump().lineEndingWith(WarmStart.warmLine("lite engine")),
        step.pump().lineEndingWith(WarmStart.warmLine("step runtime")));
  }

  /**
   * Starts both processes with their warm base environments ({@link PodEnvironment#liteEngineWarm},
   * {@link PodEnvironment#stepRuntimeWarm}).
   */
  static WarmPod launch(ContainerLauncher launcher, Path stateDir, String id, PodEnvironment environment)
      throws IOException {
    Path warmDir = Files.createDirectories(stateDir.resolve(DIRECTORY).resolve(id));
    PodProcess liteEngine = launcher.launch(warmDir, id, LITE_ENGINE, "lite-engine", environment.liteEngineWarm(), 0,
        Masker.NONE, null);
    PodProcess step;
    try {
      step = launcher.launch(warmDir, id, STEP, "step-runtime", environment.stepRuntimeWarm(), 0, Masker.NONE, null);
    } catch (IOException e) {
      ProcessTrees.kill(List.of(liteEngine));
      throw e;
    }
    return new WarmPod(id, warmDir, liteEngine, step, launcher.records());
  }

  @Override
  public String id() {
    return id;
  }

  /** Completes when both processes printed their warm line; exceptionally when one's output ended first. */
  @Override
  public CompletableFuture<Void> warm() {
    return warm;
  }

  @Override
  public boolean isAlive() {
    return liteEngine.process().isAlive() && step.process().isAlive();
  }

  /** The lite engine's and the step runtime's process (tests). */
  List<Process> processes() {
    return List.of(liteEngine.process(), step.process());
  }

  /** The processes' pids, for tests and logs. */
  List<Long> pids() {
    return List.of(liteEngine.process().pid(), step.process().pid());
  }

  /** The last lines of both processes' output, for a failure message. */
  String logTails(int lines) {
    return LITE_ENGINE + ":\n" + liteEngine.logTail(lines) + "\n" + STEP + ":\n" + step.logTail(lines);
  }

  /**
   * Binds both processes to a pod: from now on their output goes to {@code <podDir>/<container>.log},
   * masked with {@code masker}, and the returned processes (with their ports and those files) are
   * awaited by {@link Readiness} as a cold pod's.
   *
   * @param liteEngineEnv what the lite engine's binding lays over its warm environment
   * @param stepEnv what the step runtime's binding lays over its warm environment
   * @throws IOException when a log file cannot be opened or a process's stdin is closed (it exited)
   */
  List<PodProcess> bind(Path podDir, Map<String, String> liteEngineEnv, int liteEnginePort,
      Map<String, String> stepEnv, int stepPort, Masker masker) throws IOException {
    this.masker = masker;
    PodProcess boundLiteEngine = redirect(liteEngine, podDir, liteEnginePort, masker);
    PodProcess boundStep = redirect(step, podDir, stepPort, masker);
    send(liteEngine, WarmStart.bindLine(liteEngineEnv));
    send(step, WarmStart.bindLine(stepEnv));
    return List.of(boundLiteEngine, boundStep);
  }

  private static PodProcess redirect(PodProcess p, Path podDir, int port, Masker masker) throws IOException {
    Path logFile = podDir.resolve(p.container() + ".log");
    p.pump().redirect(logFile, masker, Readiness.readyLine(port));
    return new PodProcess(p.container(), port, p.process(), logFile, p.pump(), p.recordFile());
  }

  /**
   * Ends the current binding: writes the release lines and waits (at most {@code timeout}) for both
   * processes' {@code released} lines; their output then goes back to the warm pod's own files,
   * still masked with the last pod's masker (a process that held its secrets may still print them).
   *
   * @return false when a process did not confirm in time or exited (the caller stops the pod)
   */
  boolean release(Duration timeout) throws InterruptedException {
    CompletableFuture<Void> released = CompletableFuture.allOf(
        liteEngine.pump().lineEndingWith(WarmStart.releasedLine("lite engine")),
        step.pump().lineEndingWith(WarmStart.releasedLine("step runtime")));
    try {
      send(liteEngine, WarmStart.releaseLine());
      send(step, WarmStart.releaseLine());
      released.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      liteEngine.pump().redirect(warmDir.resolve(LITE_ENGINE + ".log"), masker, null);
      step.pump().redirect(warmDir.resolve(STEP + ".log"), masker, null);
      return isAlive();
    } catch (IOException | ExecutionException | TimeoutException e) {
      log.debug("Warm pod {} did not release its binding: {}", id, e.toString());
      return false;
    }
  }

  private static void send(PodProcess p, String line) throws IOException {
    // the line carries secrets: it goes to the process's private stdin pipe only, never to a log
    OutputStream in = p.process().getOutputStream();
    in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    in.flush();
  }

  /** Stops both processes (their trees), removes their records and the warm pod's own log files. */
  @Override
  public void stop() {
    try {
      ProcessTrees.stop(id, List.of(liteEngine, step), records);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ProcessTrees.kill(List.of(liteEngine, step));
    }
    deleteWarmDir();
  }

  private void deleteWarmDir() {
    try (Stream<Path> files = Files.walk(warmDir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | java.io.UncheckedIOException e) {
      log.debug("Cannot delete {}: {}", warmDir, e.getMessage());
    }
  }

  @Override
  public String toString() {
    return "warm pod " + id;
  }
}
