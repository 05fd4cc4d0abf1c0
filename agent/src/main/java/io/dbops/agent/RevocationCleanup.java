package io.dbops.agent;

import io.dbops.agent.connection.FrameHandler;
import io.dbops.agent.runtime.PodRuntime;
import io.dbops.agent.task.TaskRunner;
import io.dbops.protocol.Frame;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passes the connection's frames to the task runner and, once the control plane revokes the
 * delegate's token ({@code revoked} frame) or refuses it (HTTP 401/403 on connecting), stops the
 * build pods: the control plane gives a revoked delegate no more work, so no cleanup task would
 * ever stop them. On its own thread ({@code delegate-revoked}): lets the running tasks finish
 * within {@code grace} (the drain grace, at most {@link #MAX_GRACE}), stops the rest (reported
 * FAILED with {@link #REVOKED_ERROR}), then stops every pod of the runtime. The runner itself
 * claims nothing more once revoked. Thread-safe; a refusal repeated at every connection retry
 * cleans up once (again only after a welcome).
 */
final class RevocationCleanup implements FrameHandler {
  private static final Logger log = LoggerFactory.getLogger(RevocationCleanup.class);
  /** A revoked delegate's pods are gone within a minute. */
  static final Duration MAX_GRACE = Duration.ofSeconds(60);
  static final String REVOKED_ERROR = "the delegate's token was revoked before the task finished";

  private final TaskRunner runner;
  private final PodRuntime runtime;
  private final Duration grace;
  private final AtomicBoolean active = new AtomicBoolean();
  /** Set by a refusal, cleared by a welcome: a refusal repeated at every retry cleans up once. */
  private final AtomicBoolean refused = new AtomicBoolean();

  /** @param drainGrace DBOPS_DRAIN_SECONDS; capped at {@link #MAX_GRACE} */
  RevocationCleanup(TaskRunner runner, PodRuntime runtime, Duration drainGrace) {
    this.runner = runner;
    this.runtime = runtime;
    this.grace = drainGrace.compareTo(MAX_GRACE) > 0 ? MAX_GRACE : drainGrace;
  }

  @Override
  public void onWelcome() {
    refused.set(false);
    runner.onWelcome();
  }

  @Override
  public void onDisconnected() {
    runner.onDisconnected();
  }

  @Override
  public void onHeartbeat() {
    runner.onHeartbeat();
  }

  @Override
  public void onFrame(Frame frame) {
    runner.onFrame(frame);
    if (frame instanceof Frame.Revoked) {
      begin("the control plane revoked the delegate's token");
    }
  }

  @Override
  public void onTokenRefused() {
    runner.onTokenRefused();
    if (refused.compareAndSet(false, true)) {
      begin("the control plane refused the delegate's token");
    }
  }

  private void begin(String why) {
    if (!active.compareAndSet(false, true)) {
      return;
    }
    Thread thread = new Thread(() -> {
      try {
        cleanUp(why);
      } finally {
        active.set(false);
      }
    }, "delegate-revoked");
    thread.setDaemon(true);
    thread.start();
  }

  /** Blocks up to the grace period plus the pods' stop time. */
  void cleanUp(String why) {
    try {
      int running = runner.running();
      if (running > 0) {
        log.warn("{}: {} running task(s) may finish within {} s (DBOPS_DRAIN_SECONDS, at most {} s); their pods are"
            + " stopped then", why, running, grace.toSeconds(), MAX_GRACE.toSeconds());
      }
      if (!runner.awaitNoneRunning(grace)) {
        int stopped = runner.stopRunning(REVOKED_ERROR);
        log.warn("Stopped {} task(s) still running {} s after {}", stopped, grace.toSeconds(), why);
      }
      int pods = runtime.stopAll();
      if (running > 0 || pods > 0) {
        log.warn("Stopped every build pod of this delegate ({}): {}; it claims no more work. Give it a valid token"
            + " (DBOPS_TOKEN) and restart it", pods, why);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.error("Cannot stop the build pods after {}: {}", why, e.getMessage(), e);
    }
  }
}
