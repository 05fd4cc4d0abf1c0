package io.dbops.controlplane.state;

import io.dbops.controlplane.state.StateViews.Changeset;
import io.dbops.controlplane.state.StateViews.Ref;
import io.dbops.controlplane.store.Sql;
import io.dbops.support.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The tables of changelog-16-state.xml: per target its recorded history rows (one row per
 * target x changeset, primary key (target, seq)), what pipelines would still apply, its last
 * deployment and its drift. Writes come from {@link StateRecorder}'s one thread; reads from any.
 * Thread-safe (each call uses its own connection).
 */
final class StateStore {
  /** Liquibase's own row carrying a tag on an empty history: per target, never a changeset to compare. */
  static final String INTERNAL_FILE = "liquibase-internal";
  private static final int IN_CHUNK = 400;

  private final Sql sql;

  StateStore(Sql sql) {
    this.sql = sql;
  }

  /** The per-target summary row. */
  record TargetRow(String target, String environment, Long refreshedAt, String lastExecutionId,
      String lastPipeline, String lastStatus, Long lastFinishedAt, String driftStatus,
      Long driftCheckedAt, String driftExecutionId, String driftDifferences) {}

  /** Replaces the target's recorded history with {@code rows} in one transaction. */
  void replaceHistory(String target, String environment, long refreshedAt, String executionId,
      List<Changeset> rows) {
    sql.inTransaction(3, c -> {
      Sql.update(c, "DELETE FROM state_changesets WHERE target = ?", target);
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO state_changesets (target, seq, cs_id,"
          + " author, file, checksum, date_executed, order_executed, exec_type, tag, deployment_id,"
          + " execution_id, approved_by) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
        int seq = 0;
        for (Changeset r : rows) {
          ps.setString(1, target);
          ps.setInt(2, seq++);
          ps.setString(3, r.id());
          ps.setString(4, r.author());
          ps.setString(5, r.file());
          ps.setString(6, r.checksum());
          ps.setString(7, r.dateExecuted());
          ps.setInt(8, r.orderExecuted());
          ps.setString(9, r.execType());
          ps.setString(10, r.tag());
          ps.setString(11, r.deploymentId());
          ps.setString(12, r.executionId());
          ps.setString(13, r.approvedBy().isEmpty() ? null : Json.write(r.approvedBy()));
          ps.addBatch();
          if (seq % 500 == 0) {
            ps.executeBatch();
          }
        }
        ps.executeBatch();
      }
      ensureTarget(c, target, environment);
      Sql.update(c, "UPDATE state_targets SET refreshed_at = ?, history_execution_id = ?,"
          + " environment = ? WHERE target = ?", refreshedAt, executionId, environment, target);
      return null;
    });
  }

  void putPending(String target, String environment, String pipeline, long asOf,
      String executionId, List<Ref> changesets) {
    sql.inTransaction(3, c -> {
      ensureTarget(c, target, environment);
      Sql.update(c, "DELETE FROM state_pending WHERE target = ? AND pipeline = ?", target, pipeline);
      Sql.update(c, "INSERT INTO state_pending (target, pipeline, as_of, execution_id, changesets)"
          + " VALUES (?,?,?,?,?)", target, pipeline, asOf, executionId, Json.write(changesets));
      return null;
    });
  }

  void setLastDeployment(String target, String environment, String executionId, String pipeline,
      String status, long finishedAt) {
    sql.inTransaction(3, c -> {
      ensureTarget(c, target, environment);
      Sql.update(c, "UPDATE state_targets SET last_execution_id = ?, last_pipeline = ?,"
          + " last_status = ?, last_finished_at = ? WHERE target = ?", executionId, pipeline, status,
          finishedAt, target);
      return null;
    });
  }

  void setDrift(String target, String environment, String status, long checkedAt,
      String executionId, List<String> differences) {
    sql.inTransaction(3, c -> {
      ensureTarget(c, target, environment);
      Sql.update(c, "UPDATE state_targets SET drift_status = ?, drift_checked_at = ?,"
          + " drift_execution_id = ?, drift_differences = ? WHERE target = ?", status, checkedAt,
          executionId, Json.write(differences), target);
      return null;
    });
  }

  private static void ensureTarget(Connection c, String target, String environment)
      throws SQLException {
    if (Sql.query(c, "SELECT target FROM state_targets WHERE target = ?", rs -> rs.getString(1), 1,
        target).isEmpty()) {
      Sql.update(c, "INSERT INTO state_targets (target, environment) VALUES (?, ?)", target,
          environment);
    }
  }

  Optional<TargetRow> target(String target) {
    return sql.queryOne("SELECT * FROM state_targets WHERE target = ?", StateStore::targetRow,
        target);
  }

  List<TargetRow> targets(List<String> targets) {
    List<TargetRow> rows = new ArrayList<>();
    for (List<String> chunk : chunks(targets)) {
      rows.addAll(sql.query("SELECT * FROM state_targets WHERE target IN (" + marks(chunk.size())
          + ")", StateStore::targetRow, 0, chunk.toArray()));
    }
    return rows;
  }

  /** The target's history rows, oldest first. */
  List<Changeset> changesets(String target) {
    return sql.query("SELECT cs_id, author, file, checksum, date_executed, order_executed,"
        + " exec_type, tag, deployment_id, execution_id, approved_by FROM state_changesets"
        + " WHERE target = ? ORDER BY seq", rs -> {
          String approved = rs.getString(11);
          return new Changeset(rs.getString(1), rs.getString(2), rs.getString(3),
              rs.getString(4), rs.getString(5), rs.getInt(6), rs.getString(7), rs.getString(8),
              rs.getString(9), rs.getString(10),
              approved == null || approved.isEmpty() ? List.of() : names(approved));
        }, 0, target);
  }

  /**
   * Per target, its changesets ({@code file::id::author}, in history order; their exec types into
   * {@code execTypes} unless null; only those of {@code onlyExecTypes} unless null), without
   * Liquibase's internal tag rows: one index range scan per target on one connection and one
   * prepared statement (cheaper than an IN list, which may sort every row). Equal changesets of
   * different targets share one {@link Ref}.
   */
  Map<String, Map<String, Ref>> keys(List<String> targets, Map<String, Map<String, String>> execTypes,
      java.util.Set<String> onlyExecTypes) {
    Map<String, Map<String, Ref>> out = new LinkedHashMap<>();
    Map<String, Ref> shared = new java.util.HashMap<>();
    sql.withConnection(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT cs_id, author, file, exec_type"
          + " FROM state_changesets WHERE target = ? ORDER BY seq")) {
        for (String t : targets) {
          Map<String, Ref> refs = new LinkedHashMap<>();
          Map<String, String> types = execTypes == null ? null : new java.util.HashMap<>();
          ps.setString(1, t);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              String file = rs.getString(3);
              if (INTERNAL_FILE.equals(file)
                  || (onlyExecTypes != null && !onlyExecTypes.contains(rs.getString(4)))) {
                continue;
              }
              String key = file + "::" + rs.getString(1) + "::" + rs.getString(2);
              Ref ref = shared.get(key);
              if (ref == null) {
                ref = new Ref(rs.getString(1), rs.getString(2), file);
                shared.put(key, ref);
              }
              refs.put(key, ref);
              if (types != null) {
                types.put(key, rs.getString(4));
              }
            }
          }
          out.put(t, refs);
          if (types != null) {
            execTypes.put(t, types);
          }
        }
      }
      return null;
    });
    return out;
  }

  /** The target's pending lists, by pipeline name. */
  List<StateViews.Pending> pending(String target) {
    return pending(List.of(target)).getOrDefault(target, List.of());
  }

  Map<String, List<StateViews.Pending>> pending(List<String> targets) {
    Map<String, List<StateViews.Pending>> out = new LinkedHashMap<>();
    for (List<String> chunk : chunks(targets)) {
      sql.query("SELECT target, pipeline, as_of, execution_id, changesets FROM state_pending WHERE"
          + " target IN (" + marks(chunk.size()) + ") ORDER BY target, pipeline", rs -> {
            out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new StateViews.Pending(
                rs.getString(2), java.time.Instant.ofEpochMilli(rs.getLong(3)), rs.getString(4),
                refs(rs.getString(5))));
            return null;
          }, 0, chunk.toArray());
    }
    return out;
  }

  /** A JSON array of names (approved_by). */
  private static List<String> names(String json) {
    try {
      return List.of(Json.mapper().readValue(json, String[].class));
    } catch (java.io.IOException e) {
      throw new IllegalStateException("Stored approvers cannot be read: " + e.getMessage(), e);
    }
  }

  private static List<Ref> refs(String json) {
    try {
      return List.of(Json.mapper().readValue(json, Ref[].class));
    } catch (java.io.IOException e) {
      throw new IllegalStateException("A stored pending list cannot be read: " + e.getMessage(), e);
    }
  }

  private static TargetRow targetRow(ResultSet rs) throws SQLException {
    return new TargetRow(rs.getString("target"), rs.getString("environment"),
        Sql.nullableLong(rs, "refreshed_at"), rs.getString("last_execution_id"),
        rs.getString("last_pipeline"), rs.getString("last_status"),
        Sql.nullableLong(rs, "last_finished_at"), rs.getString("drift_status"),
        Sql.nullableLong(rs, "drift_checked_at"), rs.getString("drift_execution_id"),
        rs.getString("drift_differences"));
  }

  private static List<List<String>> chunks(List<String> all) {
    List<List<String>> chunks = new ArrayList<>();
    for (int i = 0; i < all.size(); i += IN_CHUNK) {
      chunks.add(all.subList(i, Math.min(all.size(), i + IN_CHUNK)));
    }
    return chunks;
  }

  private static String marks(int n) {
    return String.join(",", java.util.Collections.nCopies(n, "?"));
  }
}
