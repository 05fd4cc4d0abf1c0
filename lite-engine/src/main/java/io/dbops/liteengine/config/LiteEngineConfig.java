package io.dbops.liteengine.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Configuration of the lite engine, built once from the environment. Immutable.
 *
 * @param port gRPC port, {@code DBOPS_LITE_ENGINE_PORT} (default 20001); 0 picks a free port
 */
public record LiteEngineConfig(int port) {
  /** The port of the lite engine in every build pod. */
  public static final int DEFAULT_PORT = 20001;

  public LiteEngineConfig {
    if (port < 0 || port > 65535) {
      throw new ConfigException(
          List.of("DBOPS_LITE_ENGINE_PORT must be between 0 and 65535 (0 = any free port), got " + port));
    }
  }

  /** Reads {@code DBOPS_LITE_ENGINE_PORT}; every problem is reported at once. */
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
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new LiteEngineConfig(port);
  }
}
