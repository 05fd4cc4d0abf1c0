package io.dbops.cli.commands;

import io.dbops.cli.Environment;
import io.dbops.liteengine.LiteEngine;
import io.dbops.liteengine.config.LiteEngineConfig;
import io.dbops.secrets.ConsoleMasking;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dbops lite-engine}: the first container of a build pod. */
@Command(name = "lite-engine", mixinStandardHelpOptions = true,
    description = "Run the lite engine of a build pod (gRPC, default port 20001).")
public final class LiteEngineCommand implements Callable<Integer> {
  @Option(names = "--port", description = "gRPC port (env DBOPS_LITE_ENGINE_PORT, default 20001).")
  Integer port;

  @Override
  public Integer call() throws Exception {
    // before anything prints: the console is the pod's log, and may echo a secret of the pod
    ConsoleMasking.install(System.getenv());
    RoleSupport.consoleLogging();
    LiteEngineConfig config = LiteEngineConfig.fromEnvironment(
        Environment.ofProcess().with("DBOPS_LITE_ENGINE_PORT", port).asMap());
    LiteEngine engine = new LiteEngine(config);
    AwaitShutdown shutdown = new AwaitShutdown("lite-engine", engine);
    engine.start();
    shutdown.await();
    return 0;
  }
}
