package io.dbops.controlplane.state;

import io.dbops.controlplane.state.StateViews.Ref;
import io.dbops.controlplane.state.StateViews.TargetDiff;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The diff of two environments (docs/fleet-state.md "Diff"). Let U(E) be the union of the
 * changesets ({@code file::id::author}) applied on any target of E. Each target t of B gets
 * missing = U(A) − applied(t) and extra = applied(t) − U(A); each target of A the same against
 * U(B). Targets of A first, then of B, each in the order given. Pure; thread-safe.
 */
final class StateDiff {
  private StateDiff() {}

  /**
   * @param a per target of environment A, its applied changesets by key, in history order
   * @param b the same for environment B
   */
  static List<TargetDiff> diff(String envA, Map<String, Map<String, Ref>> a, String envB,
      Map<String, Map<String, Ref>> b) {
    Map<String, Ref> unionA = union(a);
    Map<String, Ref> unionB = union(b);
    List<TargetDiff> out = new ArrayList<>();
    a.forEach((t, applied) -> out.add(against(t, envA, applied, unionB)));
    b.forEach((t, applied) -> out.add(against(t, envB, applied, unionA)));
    return out;
  }

  static Map<String, Ref> union(Map<String, Map<String, Ref>> targets) {
    Map<String, Ref> union = new LinkedHashMap<>();
    targets.values().forEach(union::putAll);
    return union;
  }

  private static TargetDiff against(String target, String environment, Map<String, Ref> applied,
      Map<String, Ref> other) {
    List<Ref> missing = other.entrySet().stream().filter(e -> !applied.containsKey(e.getKey()))
        .map(Map.Entry::getValue).toList();
    List<Ref> extra = applied.entrySet().stream().filter(e -> !other.containsKey(e.getKey()))
        .map(Map.Entry::getValue).toList();
    return new TargetDiff(target, environment, missing, extra);
  }
}
