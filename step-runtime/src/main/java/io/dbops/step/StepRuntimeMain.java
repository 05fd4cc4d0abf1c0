package io.dbops.step;

import io.dbops.config.ConfigException;
import io.dbops.secrets.ConsoleMasking;
import io.dbops.step.config.StepRuntimeConfig;
import io.dbops.support.RootCause;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The one entry point of a step container: {@link #serve} is what both {@code main} (the container
 * image) and {@code dbops step-runtime} run. Configuration from the environment ({@code
 * DBOPS_STEP_*}, {@code DBOPS_BIND_ADDRESS}, {@code DBOPS_POD_TOKEN}); serves until SIGTERM/Ctrl-C,
 * then closes the runtime and ends the process with exit code 0. {@code main} exits 78 (EX_CONFIG)
 * on invalid configuration and 1 when the address cannot be bound.
 */
public final class StepRuntimeMain {
  private StepRuntimeMain() {}

  public static void main(String[] args) {
    // Before anything prints: the console is the pod log, and Liquibase's own messages (SQL with
    // substituted parameters among them) reach it through the daemon log.
    ConsoleMasking.install(System.getenv());
    try {
      serve(System.getenv());
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      System.exit(78);
    } catch (IOException e) {
      System.err.println(e.getMessage());
      System.exit(1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Reads the configuration from {@code env} (also where {@code password_env} names are looked
   * up), starts the runtime, prints {@code dbops step runtime listening on port N} on stdout (for
   * launchers) and blocks until the process is asked to stop; the shutdown hook closes the runtime
   * and halts the JVM with 0.
   *
   * @throws ConfigException when the configuration is invalid (nothing was started)
   * @throws IOException when the address cannot be bound (everything started was closed)
   */
  public static void serve(Map<String, String> env) throws IOException, InterruptedException {
    StepRuntimeConfig config = StepRuntimeConfig.fromEnvironment(env);
    StepRuntime runtime = new StepRuntime(config, env);
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      try {
        runtime.close();
      } finally {
        stopped.countDown();
      }
      System.out.flush();
      System.err.flush();
      Runtime.getRuntime().halt(0);
    }, "step-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      runtime.start();
    } catch (IOException | RuntimeException e) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException alreadyShuttingDown) {
        // the hook runs and ends the process itself
      }
      runtime.close();
      if (e instanceof IOException io) {
        throw new IOException("Cannot listen on " + config.bindAddress() + ":" + config.port() + ": " + io.getMessage()
            + RootCause.suffix(io) + ". Set DBOPS_STEP_PORT to a free port (and DBOPS_BIND_ADDRESS to an address of"
            + " this machine).", io);
      }
      throw e;
    }
    // A plain line on stdout so launchers (the local runtime, tests) can read the bound port
    // whatever logging backend is on the classpath.
    System.out.println("dbops step runtime listening on port " + runtime.port());
    System.out.flush();
    stopped.await();
  }
}
