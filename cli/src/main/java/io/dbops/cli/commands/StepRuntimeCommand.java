package io.dbops.cli.commands;

import io.dbops.cli.Environment;
import io.dbops.secrets.ConsoleMasking;
import io.dbops.step.StepRuntimeMain;
import io.dbops.support.WarmStart;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dbops step-runtime}: a step container of a build pod; runs {@link StepRuntimeMain#serve}, or
 * {@link StepRuntimeMain#serveWarm} with {@code DBOPS_WARM_START=stdin} (the local runtime's warm pods). */
@Command(name = "step-runtime", mixinStandardHelpOptions = true,
    description = "Run a step container (gRPC, default 127.0.0.1:20002) that applies changes with Liquibase. "
        + "Needs DBOPS_POD_TOKEN.")
public final class StepRuntimeCommand implements Callable<Integer> {
  @Option(names = "--port", description = "gRPC port (env DBOPS_STEP_PORT, default 20002).")
  Integer port;

  @Override
  public Integer call() throws Exception {
    // before anything prints: the console is the pod's log, and may echo a secret of the pod
    ConsoleMasking.install(System.getenv());
    RoleSupport.consoleLogging();
    Map<String, String> env = Environment.ofProcess().with("DBOPS_STEP_PORT", port).asMap();
    if (WarmStart.requested(env)) {
      // The delegate's warm pods: bindings on stdin, each with its own secrets and logging settings.
      StepRuntimeMain.serveWarm(env, RoleSupport::bindingConsole);
      return 0; // stdin ended while nothing was bound: the delegate is gone
    }
    StepRuntimeMain.serve(env);
    return 0;
  }
}
