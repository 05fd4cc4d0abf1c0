package io.dbops.controlplane;

import io.dbops.config.ConfigException;
import io.dbops.controlplane.config.ControlPlaneConfig;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the control plane from the environment until SIGTERM. Exit 78 on a configuration error
 * (every problem printed), 70 with a trace for anything else that stops the start.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws InterruptedException {
    ControlPlane controlPlane;
    try {
      controlPlane = new ControlPlane(ControlPlaneConfig.fromEnvironment(System.getenv()));
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      System.exit(78);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      controlPlane.close();
      stopped.countDown();
    }, "cp-shutdown"));
    try {
      controlPlane.start();
    } catch (ConfigException e) {
      // for example a master key that does not open the stored secrets
      System.err.println(e.getMessage());
      System.exit(78);
      return;
    } catch (RuntimeException e) {
      e.printStackTrace();
      System.exit(70);
      return;
    }
    stopped.await();
  }
}
