package io.dbops.controlplane;

import io.dbops.controlplane.config.ConfigException;
import io.dbops.controlplane.config.ControlPlaneConfig;
import java.util.concurrent.CountDownLatch;

/** Runs the control plane from the environment until SIGTERM. Exit 78 on a configuration error. */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws InterruptedException {
    ControlPlaneConfig config;
    try {
      config = ControlPlaneConfig.fromEnvironment(System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(78);
      return;
    }
    ControlPlane controlPlane;
    try {
      controlPlane = new ControlPlane(config);
    } catch (io.dbops.config.ConfigException e) {
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
    } catch (ConfigException | io.dbops.config.ConfigException e) {
      // for example a master key that does not open the stored secrets, or plain HTTP beyond loopback
      System.err.println(e.getMessage());
      System.exit(78);
      return;
    }
    stopped.await();
  }
}
