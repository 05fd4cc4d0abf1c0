package io.dbops.secrets;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The contract by which a build pod's containers learn which of their environment variables hold
 * secrets: {@value #VARIABLE} is a comma-separated list of variable names; the values of those
 * variables are masked in everything the container prints or sends. The delegate's runtimes set it
 * (local processes and Kubernetes pods alike); the lite engine and the step runtime read it.
 * Names only: the variable itself never carries a value. Stateless.
 */
public final class MaskEnvironment {
  /** The variable naming the secret variables. */
  public static final String VARIABLE = "DBOPS_MASK_ENV";

  private MaskEnvironment() {}

  /** The value of {@value #VARIABLE} for these secret variable names (sorted, so it is stable). */
  public static String names(Collection<String> secretVariables) {
    return String.join(",", new TreeSet<>(secretVariables));
  }

  /** The names listed in {@value #VARIABLE} of {@code env}; empty when it is unset. */
  public static List<String> secretVariables(Map<String, String> env) {
    String raw = env.get(VARIABLE);
    List<String> names = new ArrayList<>();
    if (raw == null) {
      return names;
    }
    for (String name : raw.split(",")) {
      if (!name.isBlank()) {
        names.add(name.strip());
      }
    }
    return names;
  }

  /**
   * A masker of the values of every variable named in {@value #VARIABLE}; variables that are
   * unset or empty are skipped. {@link Masker#NONE} when there are none.
   */
  public static Masker masker(Map<String, String> env) {
    List<String> values = new ArrayList<>();
    for (String name : secretVariables(env)) {
      String value = env.get(name);
      if (value != null && !value.isEmpty()) {
        values.add(value);
      }
    }
    return Masker.of(values);
  }
}
