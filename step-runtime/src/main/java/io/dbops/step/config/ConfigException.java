package io.dbops.step.config;

import java.util.List;

/**
 * Invalid step runtime configuration. The message lists every problem at once, each naming its
 * environment variable, so a crash-looping container says everything that is wrong in one line.
 */
public final class ConfigException extends IllegalArgumentException {
  private final List<String> problems;

  public ConfigException(List<String> problems) {
    super("Invalid step runtime configuration: " + String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  /** One entry per problem, each naming its environment variable. */
  public List<String> problems() {
    return problems;
  }
}
