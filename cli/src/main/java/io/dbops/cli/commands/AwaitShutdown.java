package io.dbops.cli.commands;

import java.util.concurrent.CountDownLatch;

/**
 * The one shutdown hook of a long-running role: on SIGTERM or Ctrl-C it closes the role's
 * component, then lets {@link #await} return so {@code main} exits.
 */
final class AwaitShutdown {
  private final CountDownLatch stopped = new CountDownLatch(1);

  AwaitShutdown(String role, AutoCloseable component) {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        component.close();
      } catch (Exception e) {
        System.err.println("Error while stopping " + role + ": " + e);
      } finally {
        stopped.countDown();
      }
    }, role + "-shutdown"));
  }

  void await() throws InterruptedException {
    stopped.await();
  }
}
