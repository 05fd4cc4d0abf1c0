package io.dbops.cli.commands;

import io.dbops.cli.Environment;
import io.dbops.step.StepRuntime;
import io.dbops.step.config.StepRuntimeConfig;
import io.dbops.secrets.ConsoleMasking;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dbops step-runtime}: a step container of a build pod. */
@Command(name = "step-runtime", mixinStandardHelpOptions = true,
    description = "Run a step container (gRPC, default port 20002) that applies changes with Liquibase.")
public final class StepRuntimeCommand implements Callable<Integer> {
  @Option(names = "--port", description = "gRPC port (env DBOPS_STEP_PORT, default 20002).")
  Integer port;

  @Override
  public Integer call() throws Exception {
    // before anything prints: the console is the pod's log, and may echo a secret of the pod
    ConsoleMasking.install(System.getenv());
    RoleSupport.consoleLogging();
    var env = Environment.ofProcess().with("DBOPS_STEP_PORT", port).asMap();
    StepRuntime runtime = new StepRuntime(StepRuntimeConfig.fromEnvironment(env), System.getenv());
    AwaitShutdown shutdown = new AwaitShutdown("step-runtime", runtime);
    runtime.start();
    shutdown.await();
    return 0;
  }
}
