package io.dbops.cli.commands;

import io.dbops.cli.Environment;
import io.dbops.liteengine.LiteEngineMain;
import io.dbops.secrets.ConsoleMasking;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dbops lite-engine}: the first container of a build pod; runs {@link LiteEngineMain#serve}. */
@Command(name = "lite-engine", mixinStandardHelpOptions = true,
    description = "Run the lite engine of a build pod (gRPC, default 127.0.0.1:20001). Needs DBOPS_POD_TOKEN, "
        + "DBOPS_POD_STEP_PORTS and DBOPS_LOG_SERVICE_URL.")
public final class LiteEngineCommand implements Callable<Integer> {
  @Option(names = "--port", description = "gRPC port (env DBOPS_LITE_ENGINE_PORT, default 20001).")
  Integer port;

  @Override
  public Integer call() throws Exception {
    // before anything prints: the console is the pod's log, and may echo a secret of the pod
    ConsoleMasking.install(System.getenv());
    RoleSupport.consoleLogging();
    LiteEngineMain.serve(Environment.ofProcess().with("DBOPS_LITE_ENGINE_PORT", port).asMap());
    return 0;
  }
}
