package io.dbops.agent.runtime.local;

import io.dbops.agent.runtime.PodException;
import java.time.Duration;
import java.util.List;

/**
 * Waits until every container of a local pod answers its health service SERVING. Polling (with
 * short, growing sleeps) is the readiness check itself, as a kubelet probe would do; the whole wait
 * is bounded by the ready timeout, and a process that exits ends it at once. Stateless between calls.
 */
final class Readiness {
  private static final int LOG_TAIL_LINES = 20;
  private final HealthProbe probe;
  private final Duration timeout;

  Readiness(HealthProbe probe, Duration timeout) {
    this.probe = probe;
    this.timeout = timeout;
  }

  /**
   * @throws PortTaken when a container exited because its port was taken meanwhile
   * @throws PodException when a container exited, or did not answer in time (with its log's tail)
   */
  void await(String podName, List<PodProcess> processes) throws PodException, PortTaken, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
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
              + " checks on port " + p.port() + " within " + timeout.toSeconds() + " s. Last lines of "
              + p.logFile() + ":\n" + p.logTail(LOG_TAIL_LINES));
        }
        Thread.sleep(sleepMillis);
        sleepMillis = Math.min(sleepMillis * 2, 500);
      }
    }
  }
}
