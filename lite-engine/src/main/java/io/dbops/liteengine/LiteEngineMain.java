package io.dbops.liteengine;

import io.dbops.config.ConfigException;
import io.dbops.liteengine.config.LiteEngineConfig;
import io.dbops.secrets.ConsoleMasking;
import io.dbops.support.WarmProcess;
import io.dbops.support.WarmStart;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * The one entry point of the lite engine: what both {@code main} (the container image) and {@code
 * dbops lite-engine} run. Cold ({@link #serve}): it serves until SIGTERM/Ctrl-C, then closes the
 * engine and ends the process with exit code 0 (a JVM ended by a signal would otherwise exit 143,
 * which Kubernetes reads as a crash). Warm ({@link #serveWarm}, {@code DBOPS_WARM_START=stdin}): it
 * warms up, then serves one binding after another from stdin ({@link WarmStart}), each exactly as
 * {@link #serve} would with the binding's environment.
 */
public final class LiteEngineMain {
  /** Exit status for invalid configuration (sysexits EX_CONFIG). */
  static final int EX_CONFIG = 78;
  /** Exit status for a bug (sysexits EX_SOFTWARE). */
  static final int EX_SOFTWARE = 70;
  /** The word in this process's lines ({@code dbops lite engine listening on port N}, {@code ... warm}). */
  public static final String ROLE = "lite engine";

  private LiteEngineMain() {}

  public static void main(String[] args) {
    Map<String, String> env = System.getenv();
    ConsoleMasking.install(env); // before anything prints: the console is the pod log
    try {
      if (WarmStart.requested(env)) {
        serveWarm(env, ConsoleMasking::install);
        System.exit(0); // the delegate is gone and nothing was bound
      }
      serve(env);
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      System.exit(EX_CONFIG);
    } catch (IOException e) {
      System.err.println(e.getMessage());
      System.exit(1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      System.err.println("The lite engine failed with an internal error (a bug; please report it with this trace): " + e);
      e.printStackTrace();
      System.exit(EX_SOFTWARE);
    }
  }

  /**
   * Reads the configuration from {@code env}, starts the lite engine and blocks until the process
   * is asked to stop; the shutdown hook closes the engine and halts the JVM with 0.
   *
   * @throws ConfigException when the configuration is invalid (nothing was started)
   * @throws IOException when the address cannot be bound (everything started was closed)
   */
  public static void serve(Map<String, String> env) throws IOException, InterruptedException {
    LiteEngine engine = new LiteEngine(LiteEngineConfig.fromEnvironment(env));
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      try {
        engine.close();
      } finally {
        stopped.countDown();
      }
      System.out.flush();
      System.err.flush();
      Runtime.getRuntime().halt(0);
    }, "lite-engine-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      startServing(engine);
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
   * The warm process ({@code DBOPS_WARM_START=stdin}): warms up, prints {@code dbops lite engine
   * warm}, then serves each binding read from stdin over {@code base}, as {@link #serve} would,
   * until it is released. Returns when stdin ends while no binding is served; a SIGTERM closes the
   * binding being served and halts the JVM with 0.
   *
   * @param console sets the console up for a binding's environment before it is served (masking
   *     its secrets; {@code dbops lite-engine} also its logging)
   * @throws ConfigException when a binding's configuration is invalid (nothing of it is left running)
   * @throws IOException when a binding's address cannot be bound, or stdin has a malformed line
   */
  public static void serveWarm(Map<String, String> base, Consumer<Map<String, String>> console) throws Exception {
    new WarmProcess(ROLE, LiteEngineWarmUp::run, env -> {
      console.accept(env);
      return bind(env);
    }).serve(base, System.in, System.out);
  }

  /**
   * Starts serving {@code env} as a cold process would and prints the listening line; closing the
   * returned engine stops serving as the shutdown hook does, without exiting.
   */
  static LiteEngine bind(Map<String, String> env) throws IOException {
    LiteEngine engine = new LiteEngine(LiteEngineConfig.fromEnvironment(env));
    startServing(engine);
    return engine;
  }

  /** Starts {@code engine} (closing it if that fails) and prints the line launchers wait for. */
  private static void startServing(LiteEngine engine) throws IOException {
    try {
      engine.start();
    } catch (IOException | RuntimeException e) {
      engine.close();
      throw e;
    }
    // A plain line on stdout once the engine serves: launchers (the local runtime) take it as the
    // ready signal, whatever logging backend is on the classpath.
    System.out.println("dbops " + ROLE + " listening on port " + engine.port());
    System.out.flush();
  }
}
