package io.dbops.agent.runtime.local;

import io.dbops.agent.runtime.PodException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits until every container of a local pod serves. The signal is the container's own: both pod
 * processes print {@code ... listening on port N} on stdout once their gRPC server is bound and
 * its health service says SERVING, and the output pump completes {@link OutputPump#ready} on that
 * line, so the wait ends as soon as the line is read (no sleeping poll). That signal is then
 * confirmed by one gRPC health check. A process that exits ends the wait at once ({@code
 * onExit}). Should the line never come (a process that does not print it, a line a mask altered),
 * the health service is probed every {@link #FALLBACK_PROBE}; the whole wait is bounded by the
 * ready timeout. Stateless between calls.
 */
final class Readiness {
  private static final int LOG_TAIL_LINES = 20;
  static final Duration FALLBACK_PROBE = Duration.ofSeconds(1);
  /** After a ready line whose health check did not answer SERVING yet. */
  private static final long RECHECK_MILLIS = 20;
  private final HealthProbe probe;
  private final Duration timeout;
  private final Duration fallbackProbe;

  Readiness(HealthProbe probe, Duration timeout) {
    this(probe, timeout, FALLBACK_PROBE);
  }

  /** @param fallbackProbe how often to probe a container that has not printed its ready line */
  Readiness(HealthProbe probe, Duration timeout, Duration fallbackProbe) {
    this.probe = probe;
    this.timeout = timeout;
    this.fallbackProbe = fallbackProbe;
  }

  /** The end of the line a pod process prints once it serves on {@code port}. */
  static String readyLine(int port) {
    return " listening on port " + port;
  }

  /**
   * @throws PortTaken when a container exited because its port was taken meanwhile
   * @throws PodException when a container exited, or did not answer in time (with its log's tail)
   */
  void await(String podName, List<PodProcess> processes) throws PodException, PortTaken, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (PodProcess p : processes) {
      CompletableFuture<Void> ready = p.pump().ready();
      CompletableFuture<Object> wake = CompletableFuture.anyOf(ready, p.process().onExit());
      long nextFallbackProbe = System.nanoTime() + fallbackProbe.toNanos();
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
        long now = System.nanoTime();
        if (ready.isDone() || now >= nextFallbackProbe) {
          if (probe.isServing(p.port())) {
            break;
          }
          nextFallbackProbe = System.nanoTime() + fallbackProbe.toNanos();
        }
        if (System.nanoTime() > deadline) {
          throw new PodException("Container " + p.container() + " of pod " + podName + " did not answer health"
              + " checks on port " + p.port() + " within " + timeout.toSeconds() + " s. Last lines of "
              + p.logFile() + ":\n" + p.logTail(LOG_TAIL_LINES));
        }
        if (ready.isDone()) {
          Thread.sleep(RECHECK_MILLIS); // the line came, SERVING not yet (rare): check again shortly
        } else {
          try {
            wake.get(Math.max(1, Math.min(nextFallbackProbe, deadline) - System.nanoTime()), TimeUnit.NANOSECONDS);
          } catch (TimeoutException | ExecutionException e) {
            // the fallback probe is due, or the deadline passed: both checked above
          }
        }
      }
    }
  }
}
