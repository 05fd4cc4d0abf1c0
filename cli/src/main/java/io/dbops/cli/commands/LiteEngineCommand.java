package io.dbops.cli.commands;

import io.dbops.cli.Environment;
import io.dbops.liteengine.LiteEngineMain;
import io.dbops.secrets.ConsoleMasking;
import io.dbops.support.WarmStart;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dbops lite-engine}: the first container of a build pod; runs {@link LiteEngineMain#serve}, or
 * {@link LiteEngineMain#serveWarm} with {@code DBOPS_WARM_START=stdin} (the local runtime's warm pods). */
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
    Map<String, String> env = Environment.ofProcess().with("DBOPS_LITE_ENGINE_PORT", port).asMap();
    if (WarmStart.requested(env)) {
      // The delegate's warm pods: bindings on stdin, each with its own secrets and logging settings.
      LiteEngineMain.serveWarm(env, RoleSupport::bindingConsole);
      return 0; // stdin ended while nothing was bound: the delegate is gone
    }
    LiteEngineMain.serve(env);
    return 0;
  }
}
