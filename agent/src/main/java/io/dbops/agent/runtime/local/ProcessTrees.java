package io.dbops.agent.runtime.local;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops a pod's container processes as process trees (Java has no process groups): SIGTERM to each
 * process's descendants and the process, one shared grace period, then SIGKILL; descendants that
 * outlived their container are then killed, and each process's record is deleted. Stateless.
 */
final class ProcessTrees {
  private static final Logger log = LoggerFactory.getLogger(ProcessTrees.class);
  static final Duration STOP_GRACE = Duration.ofSeconds(10);

  private ProcessTrees() {}

  /** Stops {@code processes} (of pod {@code podName}, for the log) and removes their records. */
  static void stop(String podName, List<PodProcess> processes, PodProcessRecords records)
      throws InterruptedException {
    // SIGTERM everyone first so they shut down in parallel, then wait out one shared grace period.
    Set<ProcessHandle> trees = new LinkedHashSet<>();
    for (PodProcess p : processes) {
      p.process().descendants().forEach(d -> {
        trees.add(d);
        d.destroy();
      });
      // the handle's destroy signals without closing the output pipe: the pump copies the last lines
      p.process().toHandle().destroy();
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
  }

  /** Kills {@code processes} and their descendants at once (an interrupted stop, a failed start). */
  static void kill(List<PodProcess> processes) {
    for (PodProcess p : processes) {
      p.process().descendants().forEach(ProcessHandle::destroyForcibly);
      p.process().destroyForcibly();
    }
  }
}
