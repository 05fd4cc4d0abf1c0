package io.dbops.pipeline;

import java.util.List;

/**
 * Checks a stage's failure strategy: {@code onFailure} is {@code fail}, {@code rollback} or
 * {@code pause}, and {@code allowIrreversible} only goes with {@code rollback}
 * (docs/environments.md, "Failure strategies"). Stateless.
 */
final class FailureChecks {
  static final List<String> STRATEGIES = List.of("fail", "rollback", "pause");

  private FailureChecks() {}

  static void check(String where, Stage stage, List<String> problems) {
    String onFailure = stage.onFailure();
    if (onFailure != null && !STRATEGIES.contains(onFailure)) {
      problems.add(where + ".onFailure must be one of fail, rollback or pause, not '" + onFailure + "'");
    }
    if (Boolean.TRUE.equals(stage.allowIrreversible()) && !"rollback".equals(onFailure)) {
      problems.add(where + ".allowIrreversible only applies with onFailure: rollback (the stage says "
          + (onFailure == null ? "no onFailure, which means fail" : "onFailure: " + onFailure) + ")");
    }
  }
}
