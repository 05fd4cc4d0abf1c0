package io.dbops.step.liquibase;

import java.util.HashMap;
import java.util.Map;
import liquibase.changelog.ChangeLogParameters;

/**
 * The environment Liquibase sees during a step, as a process started with the runner's {@code
 * environment} would see it. Liquibase reads {@code System.getenv()} in two places: its
 * configuration ({@code LIQUIBASE_*} settings, through {@link FastConfigProviders}) and the
 * changelog parameters (every variable may be used as {@code ${NAME}} in a changelog). A warm pod
 * process gets a binding's variables on stdin, not in its real environment, so both are given the
 * real environment overlaid with the variables of {@code environment} that it lacks or holds
 * otherwise. In a cold process the two are the same and nothing changes. Immutable.
 */
final class ProcessEnvironment {
  private final Map<String, String> overlay;
  private final Map<String, String> all;

  private ProcessEnvironment(Map<String, String> overlay, Map<String, String> all) {
    this.overlay = overlay;
    this.all = all;
  }

  /** {@code System.getenv()} overlaid with {@code environment}. */
  static ProcessEnvironment of(Map<String, String> environment) {
    return of(System.getenv(), environment);
  }

  static ProcessEnvironment of(Map<String, String> real, Map<String, String> environment) {
    Map<String, String> added = new HashMap<>();
    environment.forEach((name, value) -> {
      if (!value.equals(real.get(name))) {
        added.put(name, value);
      }
    });
    Map<String, String> overlaid = new HashMap<>(real);
    overlaid.putAll(added);
    return new ProcessEnvironment(Map.copyOf(added), Map.copyOf(overlaid));
  }

  /** Every variable: the real environment with the overlay; what Liquibase's configuration reads. */
  Map<String, String> variables() {
    return all;
  }

  /** The variables the real environment lacks or holds otherwise (empty in a cold process). */
  Map<String, String> overlay() {
    return overlay;
  }

  /**
   * Gives a fresh {@link ChangeLogParameters} the overlay's variables, as its constructor gave it
   * the real environment's: call it before any other parameter is set (the first value of a
   * parameter wins, and in a cold process the environment's come first).
   */
  void addTo(ChangeLogParameters parameters) {
    overlay.forEach(parameters::set);
  }
}
