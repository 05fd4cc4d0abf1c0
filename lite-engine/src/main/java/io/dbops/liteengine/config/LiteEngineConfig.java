package io.dbops.liteengine.config;

import io.dbops.config.ConfigException;
import io.dbops.config.EnvReader;
import io.dbops.config.Problems;
import io.dbops.secrets.MaskEnvironment;
import io.dbops.secrets.Masker;
import io.dbops.support.PodCredential;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Configuration of the lite engine, built once from the environment. Immutable; its toString shows
 * no secret (the masker and the credential hide their values).
 *
 * @param port gRPC port, {@code DBOPS_LITE_ENGINE_PORT} (default 20001); 0 picks a free port
 * @param bindAddress the address the server listens on, {@code DBOPS_BIND_ADDRESS} (default {@code
 *     127.0.0.1}; the Kubernetes runtime sets {@code 0.0.0.0})
 * @param logSpoolDir where step log lines wait while the log service is unreachable, {@code
 *     DBOPS_LOG_SPOOL_DIR} (default {@code <tmp>/dbops-log-spool}; {@code off} keeps them in memory
 *     only); in a pod, a volume that outlives a container restart
 * @param masker masks the values of the variables named in {@code DBOPS_MASK_ENV} in every line
 *     the lite engine ships and every result it returns
 * @param workspaceRoot {@code DBOPS_WORKSPACE_ROOT}: the pod's shared workspace volume, under which
 *     the absolute paths of step requests are mapped; null (unset) uses paths as they are
 * @param credential {@code DBOPS_POD_TOKEN}: every call but health checks must carry it (required)
 * @param forwarding the step ports and log service this engine may reach ({@code
 *     DBOPS_POD_STEP_PORTS}, {@code DBOPS_LOG_SERVICE_URL}; both required)
 */
public record LiteEngineConfig(int port, String bindAddress, Path logSpoolDir, Masker masker, Path workspaceRoot,
    PodCredential credential, ForwardingRules forwarding) {
  static final String COMPONENT = "lite engine";
  public static final String PORT = "DBOPS_LITE_ENGINE_PORT";
  public static final String BIND_ADDRESS = "DBOPS_BIND_ADDRESS";
  public static final String SPOOL_DIR = "DBOPS_LOG_SPOOL_DIR";
  public static final String WORKSPACE_ROOT = "DBOPS_WORKSPACE_ROOT";
  /** The port of the lite engine in every build pod. */
  public static final int DEFAULT_PORT = 20001;
  /** Loopback: the local runtime's delegate runs on the same machine. */
  public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";
  /**
   * The default spool directory, for a lite engine run by hand. The delegate always sets a directory
   * of the pod's own (a spool holds its streams' log tokens); an engine resumes only the leftover
   * streams of its own log service.
   */
  public static final Path DEFAULT_SPOOL_DIR = Path.of(System.getProperty("java.io.tmpdir"), "dbops-log-spool");

  public LiteEngineConfig {
    Problems problems = new Problems();
    problems.require(port >= 0 && port <= 65535,
        PORT + " must be between 0 and 65535 (0 = any free port), not " + port);
    problems.require(bindAddress != null && !bindAddress.isBlank(), BIND_ADDRESS + " must not be blank");
    problems.require(workspaceRoot == null || workspaceRoot.isAbsolute(),
        WORKSPACE_ROOT + " must be an absolute directory path, not '" + workspaceRoot + "'");
    problems.require(credential != null, PodCredential.ENV + " must be set: the lite engine accepts calls only "
        + "from the delegate holding this pod's credential");
    problems.require(forwarding != null, "the forwarding rules (" + ForwardingRules.STEP_PORTS + ", "
        + ForwardingRules.LOG_SERVICE_URL + ") must be set");
    problems.throwIfAny(COMPONENT);
    masker = masker == null ? Masker.NONE : masker;
  }

  /** A builder with the defaults; credential and forwarding rules must be set. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads {@code DBOPS_LITE_ENGINE_PORT}, {@code DBOPS_BIND_ADDRESS}, {@code DBOPS_LOG_SPOOL_DIR},
   * {@code DBOPS_MASK_ENV} (with the variables it names), {@code DBOPS_WORKSPACE_ROOT}, {@code
   * DBOPS_POD_TOKEN}, {@code DBOPS_POD_STEP_PORTS} and {@code DBOPS_LOG_SERVICE_URL}.
   *
   * @throws ConfigException listing every problem at once
   */
  public static LiteEngineConfig fromEnvironment(Map<String, String> env) {
    EnvReader reader = new EnvReader(env);
    Builder b = builder();
    b.port(reader.integer(PORT, DEFAULT_PORT, 0, 65535));
    b.bindAddress(reader.string(BIND_ADDRESS, DEFAULT_BIND_ADDRESS));
    String spool = reader.string(SPOOL_DIR);
    b.logSpoolDir(spool != null && spool.equalsIgnoreCase("off") ? null : reader.path(SPOOL_DIR, DEFAULT_SPOOL_DIR));
    Path root = reader.path(WORKSPACE_ROOT, null);
    if (root != null && !root.isAbsolute()) {
      reader.problem(WORKSPACE_ROOT + " must be an absolute directory path, not '" + root + "'");
      root = null;
    }
    b.workspaceRoot(root);
    try {
      b.credential(PodCredential.fromEnvironment(env, COMPONENT));
    } catch (ConfigException e) {
      reader.problems().addAll(e);
    }
    b.forwarding(ForwardingRules.read(reader));
    reader.throwIfProblems(COMPONENT);
    return b.masker(MaskEnvironment.masker(env)).build();
  }

  /** Builds a {@link LiteEngineConfig}; not thread-safe. */
  public static final class Builder {
    private int port = DEFAULT_PORT;
    private String bindAddress = DEFAULT_BIND_ADDRESS;
    private Path logSpoolDir = DEFAULT_SPOOL_DIR;
    private Masker masker = Masker.NONE;
    private Path workspaceRoot;
    private PodCredential credential;
    private ForwardingRules forwarding;

    private Builder() {}

    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public Builder bindAddress(String bindAddress) {
      this.bindAddress = bindAddress;
      return this;
    }

    /** Null keeps undelivered lines in memory only. */
    public Builder logSpoolDir(Path logSpoolDir) {
      this.logSpoolDir = logSpoolDir;
      return this;
    }

    public Builder masker(Masker masker) {
      this.masker = masker;
      return this;
    }

    public Builder workspaceRoot(Path workspaceRoot) {
      this.workspaceRoot = workspaceRoot;
      return this;
    }

    public Builder credential(PodCredential credential) {
      this.credential = credential;
      return this;
    }

    public Builder forwarding(ForwardingRules forwarding) {
      this.forwarding = forwarding;
      return this;
    }

    /** @throws ConfigException when a value is invalid or the credential or rules are missing */
    public LiteEngineConfig build() {
      return new LiteEngineConfig(port, bindAddress, logSpoolDir, masker, workspaceRoot, credential, forwarding);
    }
  }

  /** The ports, sorted, for messages. */
  static String portList(Set<Integer> ports) {
    return String.join(",", new TreeSet<>(ports).stream().map(String::valueOf).toList());
  }
}
