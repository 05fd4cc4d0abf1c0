package io.dbops.cli;

import java.util.List;

/** Thrown by a command whose configuration is invalid; the launcher prints it and exits 78. */
public final class ConfigProblems extends RuntimeException {
  public ConfigProblems(List<String> problems) {
    super("Invalid configuration:\n  - " + String.join("\n  - ", problems));
  }

  public ConfigProblems(String problem) {
    this(List.of(problem));
  }
}
