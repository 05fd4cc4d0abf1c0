package io.dbops.config;

import java.util.List;

/**
 * A process's configuration is invalid, or does not match its stored state. It carries every
 * problem found, each one sentence naming the setting (usually an environment variable) and what
 * would be valid; never a secret value. The launcher prints the problems and exits 78
 * ({@code EX_CONFIG}); every other exception is a bug and exits 70 with its trace.
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String component;
  private final transient List<String> problems;

  /**
   * @param component what was being configured, for example "delegate" or "control plane"
   * @param problems at least one problem, each naming its setting
   */
  public ConfigException(String component, List<String> problems) {
    super("Invalid " + component + " configuration: " + String.join("; ", problems));
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a ConfigException needs at least one problem");
    }
    this.component = component;
    this.problems = List.copyOf(problems);
  }

  /** One problem. */
  public ConfigException(String component, String problem) {
    this(component, List.of(problem));
  }

  /** What was being configured ("delegate", "control plane", ...). */
  public String component() {
    return component;
  }

  /** Each problem, one sentence naming its setting. */
  public List<String> problems() {
    return problems;
  }
}
