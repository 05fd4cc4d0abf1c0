package io.dbops.controlplane.rollouts;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides what a rollout does next from its targets' states alone: which queued targets start now
 * (only in the lowest wave not yet done, within {@code maxParallel} and the per-host limit), which
 * are skipped (after a canary failure, an exhausted failure budget or an abort), and whether the
 * rollout is done. A pure function: no I/O, no clock; thread-safe.
 */
final class RolloutPlanner {
  static final String QUEUED = "QUEUED";
  static final String RUNNING = "RUNNING";
  static final String WAITING_APPROVAL = "WAITING_APPROVAL";
  static final String SUCCEEDED = "SUCCEEDED";
  static final String FAILED = "FAILED";
  static final String ROLLED_BACK = "ROLLED_BACK";
  static final String SKIPPED = "SKIPPED";
  private static final Set<String> ACTIVE = Set.of(RUNNING, WAITING_APPROVAL);
  private static final Set<String> FAILURES = Set.of(FAILED, ROLLED_BACK);

  private RolloutPlanner() {}

  /** One target as the planner sees it; {@code host} may be null (no per-host limit applies). */
  record Entry(String target, String host, int wave, String status) {}

  /**
   * What to do now.
   *
   * @param start targets to start, in rollout order
   * @param skip queued targets that will never start
   * @param stopReason why no new target starts (canary failed, budget spent, aborted); null while
   *     the rollout goes on normally
   * @param done every target is finished or skipped (after this plan is applied)
   * @param succeeded done, and every target succeeded
   */
  record Plan(List<String> start, List<String> skip, String stopReason, boolean done,
      boolean succeeded) {}

  /**
   * @param budget how many failures stop new starts (at least 1)
   * @param aborted the parent execution was aborted
   */
  static Plan plan(List<Entry> entries, int maxParallel, int perHost, int budget, boolean aborted) {
    int failures = 0;
    boolean canaryFailed = false;
    int running = 0;
    Map<String, Integer> runningPerHost = new HashMap<>();
    for (Entry e : entries) {
      if (FAILURES.contains(e.status())) {
        failures++;
        canaryFailed |= e.wave() == 0;
      }
      if (ACTIVE.contains(e.status())) {
        running++;
        if (e.host() != null) {
          runningPerHost.merge(e.host(), 1, Integer::sum);
        }
      }
    }
    String stop = aborted ? "the execution was aborted"
        : canaryFailed ? "the canary failed"
        : failures >= budget ? "the failure budget of " + budget + " is spent (" + failures
            + " failed)"
        : null;
    List<String> start = new ArrayList<>();
    List<String> skip = new ArrayList<>();
    if (stop != null) {
      entries.stream().filter(e -> QUEUED.equals(e.status())).forEach(e -> skip.add(e.target()));
    } else {
      int wave = Integer.MAX_VALUE;
      for (Entry e : entries) {
        if (QUEUED.equals(e.status()) || ACTIVE.contains(e.status())) {
          wave = Math.min(wave, e.wave());
        }
      }
      for (Entry e : entries) {
        if (running >= maxParallel) {
          break;
        }
        if (e.wave() != wave || !QUEUED.equals(e.status())) {
          continue;
        }
        if (e.host() != null && runningPerHost.getOrDefault(e.host(), 0) >= perHost) {
          continue;
        }
        start.add(e.target());
        running++;
        if (e.host() != null) {
          runningPerHost.merge(e.host(), 1, Integer::sum);
        }
      }
    }
    boolean done = running == 0 && entries.stream()
        .noneMatch(e -> QUEUED.equals(e.status()) && !skip.contains(e.target()));
    boolean succeeded = done && entries.stream().allMatch(e -> SUCCEEDED.equals(e.status()));
    return new Plan(List.copyOf(start), List.copyOf(skip), stop, done, succeeded);
  }
}
