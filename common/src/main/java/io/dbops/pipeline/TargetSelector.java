package io.dbops.pipeline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A stage's {@code targetGroup}: a label selector over stored targets, {@code key=value} pairs
 * separated by commas, all of which a target's labels must match ({@code tier=tenant,region=eu}).
 * Pure; thread-safe.
 */
public final class TargetSelector {
  private static final Pattern PART = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]{0,62}");

  private TargetSelector() {}

  /** Problems of the selector's syntax; empty when it is valid. */
  public static List<String> problems(String selector) {
    List<String> problems = new ArrayList<>();
    if (selector == null || selector.isBlank()) {
      problems.add("must hold at least one key=value label");
      return problems;
    }
    Map<String, String> seen = new LinkedHashMap<>();
    for (String pair : selector.split(",", -1)) {
      String[] kv = pair.trim().split("=", -1);
      if (kv.length != 2 || !PART.matcher(kv[0].trim()).matches()
          || !PART.matcher(kv[1].trim()).matches()) {
        problems.add("must be key=value labels separated by commas (tier=tenant,region=eu); '"
            + pair.trim() + "' is not");
      } else if (seen.put(kv[0].trim(), kv[1].trim()) != null) {
        problems.add("names label '" + kv[0].trim() + "' twice");
      }
    }
    return problems;
  }

  /** The selector's labels; assumes a valid selector. */
  public static Map<String, String> parse(String selector) {
    Map<String, String> labels = new LinkedHashMap<>();
    for (String pair : selector.split(",")) {
      String[] kv = pair.trim().split("=");
      labels.put(kv[0].trim(), kv[1].trim());
    }
    return labels;
  }

  /** Whether {@code labels} hold every label of the selector with the same value. */
  public static boolean matches(Map<String, String> selector, Map<String, String> labels) {
    return selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }
}
