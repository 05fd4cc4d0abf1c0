package io.dbops.liteengine.config;

import io.dbops.secrets.MaskEnvironment;
import io.dbops.secrets.Masker;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Configuration of the lite engine, built once from the environment. Immutable.
 *
 * @param port gRPC port, {@code DBOPS_LITE_ENGINE_PORT} (default 20001); 0 picks a free port
 * @param logSpoolDir where step log lines wait while the log service is unreachable, {@code
 *     DBOPS_LOG_SPOOL_DIR} (default {@code <tmp>/dbops-log-spool}; {@code off} keeps them in memory
 *     only); in a pod, a volume that outlives a container restart
 * @param masker masks the values of the variables named in {@code DBOPS_MASK_ENV} in every line
 *     the lite engine ships and every result it returns; its toString shows no value
 * @param workspaceRoot {@code DBOPS_WORKSPACE_ROOT}: the pod's shared workspace volume, under which
 *     the absolute paths of step requests are mapped (the kubernetes runtime sets {@code
 *     /workspace}); null (unset) uses paths as they are
 */
public record LiteEngineConfig(int port, Path logSpoolDir, Masker masker, Path workspaceRoot) {
  /** The port of the lite engine in every build pod. */
  public static final int DEFAULT_PORT = 20001;
  /** The default spool directory, shared safely by lite engines on one machine (each stream is locked). */
  public static final Path DEFAULT_SPOOL_DIR = Path.of(System.getProperty("java.io.tmpdir"), "dbops-log-spool");

  public LiteEngineConfig {
    if (port < 0 || port > 65535) {
      throw new ConfigException(
          List.of("DBOPS_LITE_ENGINE_PORT must be between 0 and 65535 (0 = any free port), got " + port));
    }
    masker = masker == null ? Masker.NONE : masker;
  }

  /** The given port, spool directory and masker; paths used as they are. */
  public LiteEngineConfig(int port, Path logSpoolDir, Masker masker) {
    this(port, logSpoolDir, masker, null);
  }

  /** The given port and spool directory, masking nothing. */
  public LiteEngineConfig(int port, Path logSpoolDir) {
    this(port, logSpoolDir, Masker.NONE);
  }

  /** The given port and the default spool directory. */
  public LiteEngineConfig(int port) {
    this(port, DEFAULT_SPOOL_DIR);
  }

  /**
   * Reads {@code DBOPS_LITE_ENGINE_PORT}, {@code DBOPS_LOG_SPOOL_DIR}, {@code DBOPS_MASK_ENV}
   * (with the variables it names) and {@code DBOPS_WORKSPACE_ROOT}; every problem is reported at once.
   */
  public static LiteEngineConfig fromEnvironment(Map<String, String> env) {
    List<String> problems = new ArrayList<>();
    int port = DEFAULT_PORT;
    String raw = env.get("DBOPS_LITE_ENGINE_PORT");
    if (raw != null && !raw.isBlank()) {
      try {
        port = Integer.parseInt(raw.trim());
      } catch (NumberFormatException e) {
        problems.add("DBOPS_LITE_ENGINE_PORT must be a port number, got '" + raw + "'");
      }
    }
    Path spool = DEFAULT_SPOOL_DIR;
    String rawSpool = env.get("DBOPS_LOG_SPOOL_DIR");
    if (rawSpool != null && !rawSpool.isBlank()) {
      if (rawSpool.trim().equalsIgnoreCase("off")) {
        spool = null;
      } else {
        try {
          spool = Path.of(rawSpool.trim());
        } catch (InvalidPathException e) {
          problems.add("DBOPS_LOG_SPOOL_DIR must be a directory path or 'off', got '" + rawSpool + "'");
        }
      }
    }
    Path workspaceRoot = null;
    String rawRoot = env.get("DBOPS_WORKSPACE_ROOT");
    if (rawRoot != null && !rawRoot.isBlank()) {
      if (!rawRoot.trim().startsWith("/")) {
        problems.add("DBOPS_WORKSPACE_ROOT must be an absolute directory path, got '" + rawRoot + "'");
      } else {
        workspaceRoot = Path.of(rawRoot.trim());
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new LiteEngineConfig(port, spool, MaskEnvironment.masker(env), workspaceRoot);
  }
}
