package io.dbops.liteengine;

import io.dbops.liteengine.config.ConfigException;
import io.dbops.liteengine.config.LiteEngineConfig;
import io.dbops.secrets.ConsoleMasking;
import java.io.IOException;

/** Entry point of the lite engine container: {@code DBOPS_LITE_ENGINE_PORT} (default 20001). */
public final class LiteEngineMain {
  /** Exit status for invalid configuration (sysexits EX_CONFIG). */
  static final int EX_CONFIG = 78;

  private LiteEngineMain() {}

  public static void main(String[] args) throws InterruptedException {
    ConsoleMasking.install(System.getenv()); // before anything prints: the console is the pod log
    LiteEngineConfig config;
    try {
      config = LiteEngineConfig.fromEnvironment(System.getenv());
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      System.exit(EX_CONFIG);
      return;
    }
    LiteEngine engine = new LiteEngine(config);
    Runtime.getRuntime().addShutdownHook(new Thread(engine::close, "lite-engine-shutdown"));
    try {
      engine.start();
    } catch (IOException e) {
      System.err.println(e.getMessage());
      System.exit(1);
      return;
    }
    engine.awaitTermination();
  }
}
