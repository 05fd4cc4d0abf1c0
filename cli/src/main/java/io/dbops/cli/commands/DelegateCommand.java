package io.dbops.cli.commands;

import io.dbops.agent.Delegate;
import io.dbops.agent.config.DelegateConfig;
import io.dbops.cli.Environment;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dbops delegate}: dials out to a control plane and runs the tasks it offers. */
@Command(name = "delegate", mixinStandardHelpOptions = true,
    description = "Run a delegate: connect out to the control plane and run build pods.")
public final class DelegateCommand implements Callable<Integer> {
  @Option(names = "--server", description = "Control plane URL (env DBOPS_SERVER_URL).")
  String server;

  @Option(names = "--token", description = "Delegate token (env DBOPS_TOKEN; prefer the variable: "
      + "command lines are visible to other users of the host).")
  String token;

  @Option(names = "--name", description = "Delegate name; replicas share one name (env DBOPS_DELEGATE_NAME).")
  String name;

  @Option(names = "--tags", split = ",", description = "Selectors this delegate satisfies (env DBOPS_TAGS).")
  java.util.List<String> tags;

  @Option(names = "--capacity", description = "Most tasks run at once (env DBOPS_CAPACITY, default 10).")
  Integer capacity;

  @Option(names = "--runtime", description = "local or kubernetes (env DBOPS_RUNTIME, default local).")
  String runtime;

  @Option(names = "--state-dir", description = "State directory (env DBOPS_STATE_DIR, default ./.dbops/delegate).")
  Path stateDir;

  @Override
  public Integer call() throws Exception {
    RoleSupport.consoleLogging();
    Environment env = Environment.ofProcess()
        .with("DBOPS_SERVER_URL", server)
        .with("DBOPS_TOKEN", token)
        .with("DBOPS_DELEGATE_NAME", name)
        .with("DBOPS_TAGS", tags == null ? null : String.join(",", tags))
        .with("DBOPS_CAPACITY", capacity)
        .with("DBOPS_RUNTIME", runtime)
        .with("DBOPS_STATE_DIR", stateDir);
    DelegateConfig config = DelegateConfig.fromEnvironment(env.asMap())
        .withPodProcessCommand(PodProcessCommand.ofThisProcess());
    Delegate delegate = new Delegate(config);
    AwaitShutdown shutdown = new AwaitShutdown("delegate", delegate);
    delegate.start();
    shutdown.await();
    return 0;
  }
}
