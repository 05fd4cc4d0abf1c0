package io.dbops.step;

import io.dbops.step.config.ConfigException;
import io.dbops.step.config.StepRuntimeConfig;
import io.dbops.secrets.ConsoleMasking;
import io.dbops.support.RootCause;
import java.io.IOException;

/**
 * Entry point of a step container: configuration from the environment ({@code DBOPS_STEP_*}),
 * start, one shutdown hook that closes the runtime, then block until it has terminated. Exits 78
 * (EX_CONFIG) on invalid configuration and 1 when the port cannot be bound.
 */
public final class StepRuntimeMain {
  private StepRuntimeMain() {}

  public static void main(String[] args) {
    // Before anything prints: the console is the pod log, and Liquibase's own messages (SQL with
    // substituted parameters among them) reach it through the daemon log.
    ConsoleMasking.install(System.getenv());
    StepRuntimeConfig config;
    try {
      config = StepRuntimeConfig.fromEnvironment(System.getenv());
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      System.exit(78);
      return;
    }
    StepRuntime runtime = new StepRuntime(config, System.getenv());
    try {
      runtime.start();
    } catch (IOException e) {
      System.err.println("Cannot listen on port " + config.port() + ": " + e.getMessage() + RootCause.suffix(e)
          + ". Set DBOPS_STEP_PORT to a free port.");
      runtime.close();
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(runtime::close, "step-shutdown"));
    // A plain line on stdout so launchers (the local runtime, tests) can read the bound port
    // whatever logging backend is on the classpath.
    System.out.println("dbops step runtime listening on port " + runtime.port());
    System.out.flush();
    try {
      runtime.awaitTermination();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      runtime.close();
    }
  }
}
