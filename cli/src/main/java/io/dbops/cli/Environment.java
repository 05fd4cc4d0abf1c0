package io.dbops.cli;

import java.util.HashMap;
import java.util.Map;

/**
 * The process environment with command-line options laid over it. Every option of a long-running
 * role maps to the one environment variable that configures the same setting, so a Helm chart
 * (environment) and a shell (options) configure the binary through one code path.
 */
public final class Environment {
  private final Map<String, String> values;

  private Environment(Map<String, String> values) {
    this.values = values;
  }

  public static Environment ofProcess() {
    return new Environment(new HashMap<>(System.getenv()));
  }

  /** Sets {@code name} when {@code value} is not null. */
  public Environment with(String name, Object value) {
    if (value != null) {
      values.put(name, value.toString());
    }
    return this;
  }

  public Map<String, String> asMap() {
    return Map.copyOf(values);
  }
}
