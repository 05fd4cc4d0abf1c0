package io.dbops.cli.quickstart;

import io.dbops.agent.Delegate;
import io.dbops.agent.config.DelegateConfig;
import io.dbops.config.ConfigException;
import io.dbops.cli.commands.PodProcessCommand;
import io.dbops.cli.commands.RunCommand;
import io.dbops.cli.client.ApiTarget;
import io.dbops.cli.client.ControlPlaneClient;
import io.dbops.cli.logging.LoggingSetup;
import io.dbops.controlplane.ControlPlane;
import io.dbops.controlplane.config.ControlPlaneConfig;
import io.dbops.pipeline.Database;
import io.dbops.pipeline.Pipeline;
import io.dbops.pipeline.PipelineLoader;
import io.dbops.pipeline.Stage;
import io.dbops.support.Secrets;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dbops quickstart}: the whole chain on one machine. Starts the control plane embedded
 * (state in {@code ./.dbops/}), creates a token, starts a delegate with the local runtime, and runs
 * the sample pipeline through them exactly as {@code dbops run} would: the delegate receives the
 * tasks over its WebSocket and starts the lite engine and a step runtime as separate processes.
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
    description = "Run the sample pipeline through an embedded control plane and a local delegate.")
public final class QuickstartCommand implements Callable<Integer> {
  /** The directory of the embedded H2 target, under the state directory; the only one the delegate may open. */
  private static final String H2_DIR = "databases";

  @Option(names = "--database", paramLabel = "JDBC_URL",
      description = "Target database (default: an embedded H2 file database in ./.dbops).")
  String database;

  @Option(names = "--username", description = "Database user.")
  String username;

  @Option(names = "--password-env", paramLabel = "VAR",
      description = "Environment variable holding the database password (never pass it on the command line).")
  String passwordEnv;

  @Option(names = "--state-dir", defaultValue = ".dbops", description = "State directory (default ${DEFAULT-VALUE}).")
  Path stateDir;

  @Override
  public Integer call() throws Exception {
    Path state = stateDir.toAbsolutePath().normalize();
    Files.createDirectories(state);
    LoggingSetup.toFile(LoggingSetup.Settings.fromEnvironment(System.getenv()), state.resolve("quickstart.log"));
    Path sample = samplePipeline().toAbsolutePath().normalize();
    Pipeline pipeline = withDatabase(new PipelineLoader().load(sample), targetDatabase(state));

    System.out.println("dbops quickstart: state in " + state + ", component logs in "
        + state.resolve("quickstart.log"));
    ControlPlaneConfig serverConfig = ControlPlaneConfig.fromEnvironment(Map.of(
        "DBOPS_SERVER_PORT", "0",
        "DBOPS_SERVER_BIND", "127.0.0.1",
        "DBOPS_DATA_DIR", state.resolve("server").toString()));
    try (ControlPlane controlPlane = new ControlPlane(serverConfig)) {
      controlPlane.start();
      try (ControlPlaneClient client = new ControlPlaneClient(ApiTarget.of(controlPlane.baseUrl(),
          controlPlane.adminToken(), state.resolve("server").resolve("admin.token").toString()))) {
        String token = client.createToken("quickstart").token();
        Map<String, String> delegateEnv = new HashMap<>(Map.of(
            "DBOPS_SERVER_URL", controlPlane.baseUrl(),
            "DBOPS_TOKEN", token,
            "DBOPS_DELEGATE_NAME", "quickstart",
            "DBOPS_RUNTIME", "local",
            // the embedded control plane listens on loopback only
            "DBOPS_ALLOW_INSECURE", "true",
            "DBOPS_METRICS_PORT", "0",
            // one pipeline run right away: a warm pod would only warm up beside its stage's pod
            "DBOPS_LOCAL_WARM_PODS", "0",
            "DBOPS_STATE_DIR", state.resolve("delegate").toString()));
        delegateEnv.putAll(allowlists(state, sample.getParent()));
        DelegateConfig delegateConfig = DelegateConfig.fromEnvironment(delegateEnv)
            .toBuilder().podProcessCommand(PodProcessCommand.ofThisProcess()).build();
        try (Delegate delegate = new Delegate(delegateConfig)) {
          delegate.start();
          if (!delegate.awaitConnected(Duration.ofSeconds(30))) {
            System.err.println("The delegate did not connect to " + controlPlane.baseUrl()
                + " within 30 s; see " + state.resolve("quickstart.log"));
            return io.dbops.cli.ExitCodes.UNAVAILABLE;
          }
          System.out.println("Control plane at " + controlPlane.baseUrl() + " (admin token in "
              + state.resolve("server").resolve("admin.token") + "); web console at "
              + controlPlane.baseUrl() + "/ (sign in with that token); delegate 'quickstart' connected"
              + " (local runtime) and allowed exactly this target; target database "
              + Secrets.maskUrl(pipeline.stages().get(0).database().url()));
          return RunCommand.submitAndFollow(client, pipeline, System.out, false);
        }
      }
    }
  }

  /**
   * What the quickstart's delegate may use: exactly the target database and its password variable,
   * and the sample pipeline's directory for its changelog (docs/security.md: every rule of a
   * delegate denies by default).
   */
  private Map<String, String> allowlists(Path state, Path pipelineDir) {
    Map<String, String> allow = new HashMap<>();
    allow.put("DBOPS_ALLOW_CHANGELOG_DIRS", pipelineDir.toString());
    if (database == null) {
      allow.put("DBOPS_ALLOW_H2_DIR", state.resolve(H2_DIR).toString());
      allow.put("DBOPS_ALLOW_JDBC_PROPERTIES", "h2:AUTO_SERVER");
      return allow;
    }
    hostAndPort(database).ifPresent(hostPort -> allow.put("DBOPS_ALLOW_HOSTS", hostPort));
    if (passwordEnv != null) {
      allow.put("DBOPS_ALLOW_SECRET_ENV", passwordEnv);
    }
    return allow;
  }

  /** {@code host:port} of a PostgreSQL or MariaDB/MySQL JDBC URL (default ports), if it has one. */
  static Optional<String> hostAndPort(String jdbcUrl) {
    if (!jdbcUrl.startsWith("jdbc:")) {
      return Optional.empty();
    }
    try {
      URI uri = URI.create(jdbcUrl.substring(5));
      if (uri.getHost() == null) {
        return Optional.empty();
      }
      int port = uri.getPort() > 0 ? uri.getPort() : "postgresql".equals(uri.getScheme()) ? 5432 : 3306;
      return Optional.of(uri.getHost() + ":" + port);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private Database targetDatabase(Path state) {
    if (database == null) {
      if (username != null || passwordEnv != null) {
        throw new ConfigException("command line", "--username and --password-env need --database");
      }
      // AUTO_SERVER: each step of the pod is its own process, and an embedded H2 file admits one
      // process unless the first one serves the others.
      return new Database("jdbc:h2:file:" + state.resolve(H2_DIR).resolve("quickstart") + ";AUTO_SERVER=TRUE",
          "sa", null);
    }
    if (passwordEnv != null && System.getenv(passwordEnv) == null) {
      throw new ConfigException("command line", "--password-env names " + passwordEnv + ", which is not set in this environment");
    }
    return new Database(database, username, passwordEnv == null ? null : "env:" + passwordEnv);
  }

  /** The sample pipeline of the distribution, or of the source tree when run from it. */
  private static Path samplePipeline() {
    List<Path> candidates = new ArrayList<>();
    String home = System.getenv("DBOPS_HOME");
    if (home != null) {
      candidates.add(Path.of(home, "examples", "quickstart", "pipeline.yaml"));
    }
    candidates.add(Path.of("examples", "quickstart", "pipeline.yaml"));
    for (Path candidate : candidates) {
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new ConfigException("command line", "Cannot find the sample pipeline; looked in " + candidates
        + ". Run the launcher from the distribution (cli/target/dbops/bin/dbops).");
  }

  private static Pipeline withDatabase(Pipeline pipeline, Database target) {
    List<Stage> stages = pipeline.stages().stream()
        .map(s -> s.withDatabase(target))
        .toList();
    return new Pipeline(pipeline.name(), stages);
  }
}
