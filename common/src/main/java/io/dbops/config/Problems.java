package io.dbops.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Collects configuration problems so that all of them are reported at once. The same problem
 * added twice (for example by a reader and by a record's own check) is kept once. Not thread-safe:
 * one instance per configuration being built.
 */
public final class Problems {
  private final Set<String> problems = new LinkedHashSet<>();

  public void add(String problem) {
    problems.add(problem);
  }

  /** Adds {@code problem} when {@code condition} is false. */
  public void require(boolean condition, String problem) {
    if (!condition) {
      add(problem);
    }
  }

  /** Adds the problems of a nested configuration's exception. */
  public void addAll(ConfigException e) {
    problems.addAll(e.problems());
  }

  public boolean isEmpty() {
    return problems.isEmpty();
  }

  public List<String> list() {
    return List.copyOf(new ArrayList<>(problems));
  }

  /** Throws a {@link ConfigException} for {@code component} when any problem was found. */
  public void throwIfAny(String component) {
    if (!problems.isEmpty()) {
      throw new ConfigException(component, list());
    }
  }
}
