package io.dbops.pipeline;

import java.util.List;

/**
 * How a rollout stage (a stage with a {@code targetGroup}) runs over its targets
 * (docs/fleet-rollouts.md). Every field may be left out.
 *
 * @param canary how many targets run first, alone; a canary failure stops the rollout with nothing
 *     else touched; null means 1, 0 means no canary
 * @param waves the sizes of the waves after the canary, each a count ({@code "5"}), a percentage of
 *     all the group's targets ({@code "10%"}, rounded up) or {@code "rest"}; the last size repeats
 *     until every target has a wave; null or empty means {@code ["rest"]}
 * @param maxParallel at most this many targets run at once; null means 5
 * @param perHost at most this many targets of one database host (host:port of the JDBC URL) run at
 *     once; null means no limit beyond {@code maxParallel}
 * @param failureBudget after this many failed targets ({@code "2"}) or this share of all targets
 *     ({@code "10%"}, rounded up) no new target starts; null means 1 (the first failure stops)
 * @param reusePods true: a delegate may serve several targets of this stage, one after the other,
 *     with the same build pod instead of starting one per target (local runtime, when the
 *     delegate's {@code DBOPS_LOCAL_POD_REUSE_SECONDS} allows it; the targets then share the pod's
 *     processes, docs/fleet-rollouts.md); null or false: one pod per target
 */
public record Rollout(Integer canary, List<String> waves, Integer maxParallel, Integer perHost,
    String failureBudget, Boolean reusePods) {
  public static final Rollout DEFAULTS = new Rollout(null, null, null, null, null, null);
  public static final int DEFAULT_MAX_PARALLEL = 5;

  public Rollout {
    waves = waves == null ? List.of() : List.copyOf(waves);
  }

  /** A rollout with one pod per target. */
  public Rollout(Integer canary, List<String> waves, Integer maxParallel, Integer perHost, String failureBudget) {
    this(canary, waves, maxParallel, perHost, failureBudget, null);
  }

  /** Whether the targets may share build pods in sequence ({@link #reusePods}). */
  public boolean podsReused() {
    return Boolean.TRUE.equals(reusePods);
  }

  /** The canary's size with the default applied. */
  public int canaryCount() {
    return canary == null ? 1 : canary;
  }

  public int maxParallelCount() {
    return maxParallel == null ? DEFAULT_MAX_PARALLEL : maxParallel;
  }

  /** The per-host limit; {@link Integer#MAX_VALUE} for none. */
  public int perHostCount() {
    return perHost == null ? Integer.MAX_VALUE : perHost;
  }

  /** How many failures stop the rollout, out of {@code total} targets (at least 1). */
  public int budget(int total) {
    if (failureBudget == null) {
      return 1;
    }
    return Math.max(1, size(failureBudget.trim(), total));
  }

  /**
   * The size of the wave each target is in, in rollout order: the canary is wave 0, then the waves
   * of {@link #waves} (the last repeating). Assumes a valid rollout.
   */
  public int[] waveOf(int total) {
    int[] wave = new int[total];
    int next = 0;
    int w = 0;
    int canarySize = Math.min(canaryCount(), total);
    for (; next < canarySize; next++) {
      wave[next] = 0;
    }
    List<String> sizes = waves.isEmpty() ? List.of("rest") : waves;
    int index = 0;
    while (next < total) {
      w++;
      String spec = sizes.get(Math.min(index, sizes.size() - 1)).trim();
      index++;
      int size = "rest".equals(spec) ? total - next : Math.max(1, size(spec, total));
      for (int i = 0; i < size && next < total; i++, next++) {
        wave[next] = w;
      }
    }
    return wave;
  }

  /** A count or a rounded-up percentage of {@code total}. */
  static int size(String spec, int total) {
    if (spec.endsWith("%")) {
      double percent = Double.parseDouble(spec.substring(0, spec.length() - 1).trim());
      return (int) Math.ceil(total * percent / 100.0);
    }
    return Integer.parseInt(spec);
  }

  /** Problems of this rollout's settings, each naming the field under {@code where}. */
  void check(String where, List<String> problems) {
    if (canary != null && (canary < 0 || canary > 1000)) {
      problems.add(where + ".canary must be between 0 and 1000, not " + canary);
    }
    for (int i = 0; i < waves.size(); i++) {
      String spec = waves.get(i);
      if (!validSize(spec, true)) {
        problems.add(where + ".waves[" + i + "] must be a count (\"5\"), a percentage (\"10%\") or"
            + " \"rest\", not '" + spec + "'");
      } else if ("rest".equals(spec.trim()) && i < waves.size() - 1) {
        problems.add(where + ".waves[" + i + "] is \"rest\": it must be the last wave");
      }
    }
    if (maxParallel != null && (maxParallel < 1 || maxParallel > 1000)) {
      problems.add(where + ".maxParallel must be between 1 and 1000, not " + maxParallel);
    }
    if (perHost != null && (perHost < 1 || perHost > 1000)) {
      problems.add(where + ".perHost must be between 1 and 1000, not " + perHost);
    }
    if (failureBudget != null && !validSize(failureBudget, false)) {
      problems.add(where + ".failureBudget must be a count of at least 1 (\"2\") or a percentage"
          + " (\"10%\"), not '" + failureBudget + "'");
    }
  }

  private static boolean validSize(String spec, boolean restAllowed) {
    if (spec == null) {
      return false;
    }
    String s = spec.trim();
    if (restAllowed && "rest".equals(s)) {
      return true;
    }
    if (s.matches("[0-9]{1,5}")) {
      return Integer.parseInt(s) >= 1;
    }
    if (s.matches("[0-9]{1,3}(\\.[0-9]{1,2})?%")) {
      double p = Double.parseDouble(s.substring(0, s.length() - 1));
      return p > 0 && p <= 100;
    }
    return false;
  }
}
