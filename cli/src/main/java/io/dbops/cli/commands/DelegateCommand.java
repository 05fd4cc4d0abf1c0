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

  @Option(names = "--transport", description = "websocket or long-poll (env DBOPS_TRANSPORT, default websocket).")
  String transport;

  @Option(names = "--drain-seconds", description = "Grace for running tasks on SIGTERM (env DBOPS_DRAIN_SECONDS, default 60).")
  Integer drainSeconds;

  @Option(names = "--metrics-port", description = "Port of /healthz, /readyz, /metrics (env DBOPS_METRICS_PORT, default 9090; 0 = free port).")
  Integer metricsPort;

  @Option(names = "--allow-insecure", description = "Allow a plain http:// control plane URL (env DBOPS_ALLOW_INSECURE).")
  Boolean allowInsecure;

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
        .with("DBOPS_STATE_DIR", stateDir)
        .with("DBOPS_TRANSPORT", transport)
        .with("DBOPS_DRAIN_SECONDS", drainSeconds)
        .with("DBOPS_METRICS_PORT", metricsPort)
        .with("DBOPS_ALLOW_INSECURE", allowInsecure);
    DelegateConfig config = DelegateConfig.fromEnvironment(env.asMap())
        .toBuilder().podProcessCommand(PodProcessCommand.ofThisProcess()).build();
    Delegate delegate = new Delegate(config);
    // SIGTERM: stop claiming, let running tasks finish within DBOPS_DRAIN_SECONDS, hand back or
    // fail the rest, unregister; then close.
    AwaitShutdown shutdown = new AwaitShutdown("delegate", () -> {
      try {
        delegate.drain();
      } finally {
        delegate.close();
      }
    });
    try {
      delegate.start();
    } catch (Exception | Error e) {
      shutdown.startFailed();
      throw e;
    }
    System.out.println("dbops delegate " + config.name() + " started; endpoints on port " + delegate.endpointsPort());
    System.out.flush();
    shutdown.await();
    return 0;
  }
}
