package io.dbops.cli.commands;

import java.util.concurrent.CountDownLatch;

/**
 * The one shutdown hook of a long-running role. Its main thread only waits ({@link #await}), so
 * the hook runs on SIGTERM or Ctrl-C: it closes the role's component (a delegate drains first),
 * then ends the process with exit code 0 — or 1 when closing failed. A JVM ended by a signal
 * otherwise exits 143, which Kubernetes and scripts read as a crash.
 */
final class AwaitShutdown {
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AutoCloseable component;
  private final Thread hook;

  AwaitShutdown(String role, AutoCloseable component) {
    this.component = component;
    this.hook = new Thread(() -> {
      int exitCode = 0;
      try {
        component.close();
      } catch (Exception e) {
        System.err.println("Error while stopping " + role + ": " + e);
        exitCode = 1;
      } finally {
        stopped.countDown();
      }
      System.out.flush();
      System.err.flush();
      Runtime.getRuntime().halt(exitCode);
    }, role + "-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /**
   * The role failed to start: close what it started and drop the hook, so the process exits with
   * the failure's exit code rather than the hook's 0.
   */
  void startFailed() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException alreadyShuttingDown) {
      return; // the hook is running and ends the process itself
    }
    try {
      component.close();
    } catch (Exception e) {
      System.err.println("Error while cleaning up after a failed start: " + e);
    }
  }

  void await() throws InterruptedException {
    stopped.await();
  }
}
