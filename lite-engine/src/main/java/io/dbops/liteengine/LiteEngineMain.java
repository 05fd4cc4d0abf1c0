package io.dbops.liteengine;

import io.dbops.config.ConfigException;
import io.dbops.liteengine.config.LiteEngineConfig;
import io.dbops.secrets.ConsoleMasking;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The one entry point of the lite engine: {@link #serve} is what both {@code main} (the container
 * image) and {@code dbops lite-engine} run. It serves until SIGTERM/Ctrl-C, then closes the engine
 * and ends the process with exit code 0 (a JVM ended by a signal would otherwise exit 143, which
 * Kubernetes reads as a crash).
 */
public final class LiteEngineMain {
  /** Exit status for invalid configuration (sysexits EX_CONFIG). */
  static final int EX_CONFIG = 78;

  private LiteEngineMain() {}

  public static void main(String[] args) throws InterruptedException {
    ConsoleMasking.install(System.getenv()); // before anything prints: the console is the pod log
    try {
      serve(System.getenv());
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      System.exit(EX_CONFIG);
    } catch (IOException e) {
      System.err.println(e.getMessage());
      System.exit(1);
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
      engine.start();
    } catch (IOException | RuntimeException e) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException alreadyShuttingDown) {
        // the hook runs and ends the process itself
      }
      engine.close();
      throw e;
    }
    // A plain line on stdout once the engine serves: launchers (the local runtime) take it as the
    // ready signal, whatever logging backend is on the classpath.
    System.out.println("dbops lite engine listening on port " + engine.port());
    System.out.flush();
    stopped.await();
  }
}
