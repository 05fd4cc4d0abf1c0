package io.dbops.step;

import io.dbops.config.ConfigException;
import io.dbops.secrets.ConsoleMasking;
import io.dbops.step.config.StepRuntimeConfig;
import io.dbops.support.RootCause;
import io.dbops.support.WarmProcess;
import io.dbops.support.WarmStart;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * The one entry point of a step container: what both {@code main} (the container image) and {@code
 * dbops step-runtime} run. Configuration from the environment ({@code DBOPS_STEP_*}, {@code
 * DBOPS_BIND_ADDRESS}, {@code DBOPS_POD_TOKEN}). Cold ({@link #serve}): serves until
 * SIGTERM/Ctrl-C, then closes the runtime and ends the process with exit code 0. Warm ({@link
 * #serveWarm}, {@code DBOPS_WARM_START=stdin}): warms up (Liquibase, JDBC, gRPC), then serves one
 * binding after another from stdin ({@link WarmStart}), each exactly as {@link #serve} would with the
 * binding's environment. {@code main} exits 78 (EX_CONFIG) on invalid configuration and 1 when the
 * address cannot be bound.
 */
public final class StepRuntimeMain {
  /** The word in this process's lines ({@code dbops step runtime listening on port N}, {@code ... warm}). */
  public static final String ROLE = "step runtime";

  private StepRuntimeMain() {}

  public static void main(String[] args) {
    Map<String, String> env = System.getenv();
    // Before anything prints: the console is the pod log, and Liquibase's own messages (SQL with
    // substituted parameters among them) reach it through the daemon log.
    ConsoleMasking.install(env);
    try {
      if (WarmStart.requested(env)) {
        serveWarm(env, ConsoleMasking::install);
        System.exit(0); // the delegate is gone and nothing was bound
      }
      serve(env);
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      System.exit(78);
    } catch (IOException e) {
      System.err.println(e.getMessage());
      System.exit(1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      System.err.println("The step runtime failed with an internal error (a bug; please report it with this trace): "
          + e);
      e.printStackTrace();
      System.exit(70);
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
      startServing(runtime, config);
    } catch (IOException | RuntimeException e) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException alreadyShuttingDown) {
        // the hook runs and ends the process itself
      }
      throw e;
    }
    stopped.await();
  }

  /**
   * The warm process ({@code DBOPS_WARM_START=stdin}): warms up, prints {@code dbops step runtime
   * warm}, then serves each binding read from stdin over {@code base}, as {@link #serve} would,
   * until it is released. Returns when stdin ends while no binding is served; a SIGTERM closes the
   * binding being served and halts the JVM with 0.
   *
   * @param console sets the console up for a binding's environment before it is served (masking
   *     its secrets; {@code dbops step-runtime} also its logging)
   * @throws ConfigException when a binding's configuration is invalid (nothing of it is left running)
   * @throws IOException when a binding's address cannot be bound, or stdin has a malformed line
   */
  public static void serveWarm(Map<String, String> base, Consumer<Map<String, String>> console) throws Exception {
    new WarmProcess(ROLE, StepRuntimeWarmUp::run, env -> {
      console.accept(env);
      return bind(env);
    }).serve(base, System.in, System.out);
  }

  /**
   * Starts serving {@code env} as a cold process would and prints the listening line; closing the
   * returned runtime stops serving as the shutdown hook does (its pools closed), without exiting.
   */
  static StepRuntime bind(Map<String, String> env) throws IOException {
    StepRuntimeConfig config = StepRuntimeConfig.fromEnvironment(env);
    StepRuntime runtime = new StepRuntime(config, env);
    startServing(runtime, config);
    return runtime;
  }

  /** Starts {@code runtime} (closing it if that fails) and prints the line launchers wait for. */
  private static void startServing(StepRuntime runtime, StepRuntimeConfig config) throws IOException {
    try {
      runtime.start();
    } catch (IOException | RuntimeException e) {
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
    System.out.println("dbops " + ROLE + " listening on port " + runtime.port());
    System.out.flush();
  }
}
