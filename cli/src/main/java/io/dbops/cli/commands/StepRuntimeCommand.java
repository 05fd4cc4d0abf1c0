package io.dbops.cli.commands;

import io.dbops.cli.Environment;
import io.dbops.secrets.ConsoleMasking;
import io.dbops.step.StepRuntimeMain;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dbops step-runtime}: a step container of a build pod; runs {@link StepRuntimeMain#serve}. */
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
    StepRuntimeMain.serve(Environment.ofProcess().with("DBOPS_STEP_PORT", port).asMap());
    return 0;
  }
}
