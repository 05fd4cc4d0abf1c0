package io.dbops.agent.config;

import java.util.List;

/** Invalid delegate configuration. The message lists every problem, each naming its env var. */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final List<String> problems;

  public ConfigException(List<String> problems) {
    super("Invalid delegate configuration: " + String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  /** Each problem, one sentence naming its env var. */
  public List<String> problems() {
    return problems;
  }
}
