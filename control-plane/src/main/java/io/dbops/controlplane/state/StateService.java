package io.dbops.controlplane.state;

import io.dbops.controlplane.Refusal;
import io.dbops.controlplane.state.StateViews.Changeset;
import io.dbops.controlplane.state.StateViews.Drift;
import io.dbops.controlplane.state.StateViews.EnvironmentGrid;
import io.dbops.controlplane.state.StateViews.GridChangeset;
import io.dbops.controlplane.state.StateViews.GridTarget;
import io.dbops.controlplane.state.StateViews.LastDeployment;
import io.dbops.controlplane.state.StateViews.Pending;
import io.dbops.controlplane.state.StateViews.Ref;
import io.dbops.controlplane.state.StateViews.TargetState;
import io.dbops.support.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads of the recorded migration state: one target, an environment's grid, the diff of two
 * environments. Knows nothing of HTTP ({@link StateRoutes}); unknown names are {@link Refusal}s
 * with a hint. Thread-safe.
 */
public final class StateService {
  private static final Set<String> APPLIED = Set.of("EXECUTED", "RERAN", "MARK_RAN");

  private final StateStore store;
  private final Fleet fleet;

  StateService(StateStore store, Fleet fleet) {
    this.store = store;
    this.fleet = fleet;
  }

  /**
   * @throws Refusal 404 for an unknown target
   */
  public TargetState target(String name) {
    String environment = fleet.targetEnvironment(name).orElseThrow(() -> unknownTarget(name));
    StateStore.TargetRow row = store.target(name).orElse(null);
    List<Changeset> rows = store.changesets(name);
    LastDeployment last = row == null || row.lastExecutionId() == null ? null
        : new LastDeployment(row.lastExecutionId(), row.lastPipeline(), row.lastStatus(),
            instant(row.lastFinishedAt()));
    return new TargetState(name, environment, row == null ? null : instant(row.refreshedAt()), rows,
        store.pending(name), last, StateMapping.tags(rows), drift(row));
  }

  /**
   * @throws Refusal 404 for an unknown environment
   */
  public EnvironmentGrid environment(String name) {
    List<String> targets = targetsOf(name);
    Map<String, Map<String, String>> execTypes = new HashMap<>();
    Map<String, Map<String, Ref>> applied = store.keys(targets, execTypes, null);
    Map<String, List<Pending>> pending = store.pending(targets);
    Map<String, StateStore.TargetRow> rows = new HashMap<>();
    store.targets(targets).forEach(r -> rows.put(r.target(), r));
    Map<String, GridChangeset> changesets = new LinkedHashMap<>();
    Map<String, Map<String, String>> cells = new LinkedHashMap<>();
    List<GridTarget> gridTargets = new ArrayList<>();
    for (String t : targets) {
      StateStore.TargetRow row = rows.get(t);
      gridTargets.add(new GridTarget(t, row == null ? null : instant(row.refreshedAt()), drift(row)));
      Map<String, String> cell = new LinkedHashMap<>();
      for (Ref ref : applied.get(t).values()) {
        changesets.putIfAbsent(ref.key(), grid(ref));
        String type = execTypes.getOrDefault(t, Map.of()).get(ref.key());
        cell.put(ref.key(), "FAILED".equals(type) ? "failed" : "applied");
      }
      for (Pending p : pending.getOrDefault(t, List.of())) {
        for (Ref ref : p.changesets()) {
          changesets.putIfAbsent(ref.key(), grid(ref));
          cell.putIfAbsent(ref.key(), "pending");
        }
      }
      cells.put(t, cell);
    }
    return new EnvironmentGrid(name, gridTargets, List.copyOf(changesets.values()), cells);
  }

  /**
   * @throws Refusal 400 naming a missing parameter, 404 for an unknown environment
   */
  public StateViews.DiffView diff(String from, String to) {
    List<String> problems = new ArrayList<>();
    if (from == null || from.isBlank()) {
      problems.add("query parameter 'from' is required (an environment name)");
    }
    if (to == null || to.isBlank()) {
      problems.add("query parameter 'to' is required (an environment name)");
    }
    if (!problems.isEmpty()) {
      throw Refusal.invalid("A diff needs two environments: GET /api/v1/diff?from=A&to=B; "
          + String.join("; ", problems), problems);
    }
    List<String> a = targetsOf(from);
    List<String> b = targetsOf(to);
    return new StateViews.DiffView(from, to, StateDiff.diff(from, appliedOnly(a), to, appliedOnly(b)));
  }

  /** Per target, the changesets recorded as applied (EXECUTED, RERAN, MARK_RAN; not FAILED rows). */
  private Map<String, Map<String, Ref>> appliedOnly(List<String> targets) {
    return store.keys(targets, null, APPLIED);
  }

  private List<String> targetsOf(String environment) {
    if (!fleet.environmentExists(environment)) {
      throw Refusal.notFound("No environment '" + environment + "'; list them with `dbops get environments`"
          + " (GET /api/v1/environments)");
    }
    return fleet.targetsIn(environment);
  }

  static Refusal unknownTarget(String name) {
    return Refusal.notFound("No target '" + name + "'; list them with `dbops get targets`"
        + " (GET /api/v1/targets)");
  }

  private static GridChangeset grid(Ref ref) {
    return new GridChangeset(ref.key(), ref.id(), ref.author(), ref.file());
  }

  private static Drift drift(StateStore.TargetRow row) {
    if (row == null || row.driftStatus() == null) {
      return Drift.unknown();
    }
    List<String> differences = new ArrayList<>();
    try {
      if (row.driftDifferences() != null) {
        Json.mapper().readTree(row.driftDifferences()).forEach(n -> differences.add(n.asText()));
      }
    } catch (java.io.IOException e) {
      differences.add("(the recorded differences cannot be read)");
    }
    return new Drift(row.driftStatus(), instant(row.driftCheckedAt()), row.driftExecutionId(), differences);
  }

  private static Instant instant(Long millis) {
    return millis == null ? null : Instant.ofEpochMilli(millis);
  }
}
