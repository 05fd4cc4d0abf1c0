package io.dbops.controlplane.rollouts;

import io.dbops.controlplane.store.Sql;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Reads and writes the {@code rollouts}, {@code rollout_targets} and {@code rollout_approvals}
 * tables (changelog-16-rollouts.xml). Stateless over the pool; thread-safe. Methods taking a
 * {@link Connection} run inside the caller's transaction.
 */
final class RolloutStore {
  static final String RUNNING = "RUNNING";
  static final String ABORTING = "ABORTING";

  /** One rollout stage of an execution. */
  record Rollout(String executionId, String stage, String group, String policy, String status,
      String stopReason, String sqlHash, long createdAt, Long finishedAt) {
    boolean finished() {
      return !RUNNING.equals(status) && !ABORTING.equals(status);
    }
  }

  /** One target of a rollout. */
  record TargetRow(String executionId, String stage, int position, String target, String host,
      int wave, String status, String childId, String error, String sqlHash, List<String> approvedBy,
      boolean ownApproval) {}

  private static final String TARGET_COLUMNS = "execution_id, stage_name, position, target, host, wave, "
      + "status, child_id, error, sql_hash, approved_by, own_approval";
  private static final String ROLLOUT_COLUMNS = "execution_id, stage_name, target_group, policy, status, "
      + "stop_reason, sql_hash, created_at, finished_at";

  private final Sql sql;

  RolloutStore(Sql sql) {
    this.sql = sql;
  }

  Sql sql() {
    return sql;
  }

  void insert(Connection c, Rollout r, List<TargetRow> targets) throws SQLException {
    Sql.update(c, "INSERT INTO rollouts (" + ROLLOUT_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        r.executionId(), r.stage(), r.group(), r.policy(), r.status(), r.stopReason(), r.sqlHash(),
        r.createdAt(), r.finishedAt());
    for (TargetRow t : targets) {
      Sql.update(c, "INSERT INTO rollout_targets (" + TARGET_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,"
          + " ?, ?, ?)", t.executionId(), t.stage(), t.position(), t.target(), t.host(), t.wave(), t.status(),
          t.childId(), t.error(), t.sqlHash(), String.join(",", t.approvedBy()), t.ownApproval());
    }
  }

  /** The rollout, locked until the transaction ends (one decision at a time, across replicas). */
  Optional<Rollout> lock(Connection c, String executionId, String stage) throws SQLException {
    List<Rollout> rows = Sql.query(c, "SELECT " + ROLLOUT_COLUMNS + " FROM rollouts WHERE execution_id = ?"
        + " AND stage_name = ? FOR UPDATE", RolloutStore::rollout, 1, executionId, stage);
    return rows.stream().findFirst();
  }

  Optional<Rollout> find(Connection c, String executionId, String stage) throws SQLException {
    return Sql.query(c, "SELECT " + ROLLOUT_COLUMNS + " FROM rollouts WHERE execution_id = ? AND stage_name = ?",
        RolloutStore::rollout, 1, executionId, stage).stream().findFirst();
  }

  List<Rollout> of(String executionId) {
    return sql.query("SELECT " + ROLLOUT_COLUMNS + " FROM rollouts WHERE execution_id = ?",
        RolloutStore::rollout, 0, executionId);
  }

  /** Rollouts not finished yet (to continue after a restart). */
  List<Rollout> unfinished() {
    return sql.query("SELECT " + ROLLOUT_COLUMNS + " FROM rollouts WHERE status = ? OR status = ?"
        + " ORDER BY created_at", RolloutStore::rollout, 0, RUNNING, ABORTING);
  }

  List<TargetRow> targets(Connection c, String executionId, String stage) throws SQLException {
    return Sql.query(c, "SELECT " + TARGET_COLUMNS + " FROM rollout_targets WHERE execution_id = ? AND"
        + " stage_name = ? ORDER BY position", RolloutStore::target, 0, executionId, stage);
  }

  List<TargetRow> targets(String executionId, String stage) {
    return sql.withConnection(c -> targets(c, executionId, stage));
  }

  Optional<TargetRow> byChild(String childId) {
    return sql.queryOne("SELECT " + TARGET_COLUMNS + " FROM rollout_targets WHERE child_id = ?",
        RolloutStore::target, childId);
  }

  static void setRollout(Connection c, String executionId, String stage, String status, String stopReason,
      Long finishedAt) throws SQLException {
    Sql.update(c, "UPDATE rollouts SET status = ?, stop_reason = ?, finished_at = ? WHERE execution_id = ?"
        + " AND stage_name = ?", status, stopReason, finishedAt, executionId, stage);
  }

  static void setRolloutHash(Connection c, String executionId, String stage, String sqlHash)
      throws SQLException {
    Sql.update(c, "UPDATE rollouts SET sql_hash = ? WHERE execution_id = ? AND stage_name = ? AND sql_hash IS NULL",
        sqlHash, executionId, stage);
  }

  /**
   * Moves a target from {@code from} to {@code to}, setting the child, error and times given (null
   * keeps each); false when it was not in {@code from}.
   */
  static boolean move(Connection c, TargetRow t, String from, String to, String childId, String error,
      Long startedAt, Long finishedAt) throws SQLException {
    return Sql.update(c, "UPDATE rollout_targets SET status = ?, child_id = COALESCE(?, child_id),"
        + " error = COALESCE(?, error), started_at = COALESCE(?, started_at), finished_at = COALESCE(?, finished_at)"
        + " WHERE execution_id = ? AND stage_name = ? AND target = ? AND status = ?",
        to, childId, error, startedAt, finishedAt, t.executionId(), t.stage(), t.target(), from) == 1;
  }

  void approval(String childId, String sqlHash, boolean ownApproval, List<String> approvedBy, String status) {
    sql.update("UPDATE rollout_targets SET sql_hash = ?, own_approval = ?, approved_by = COALESCE(?, approved_by),"
            + " status = CASE WHEN status = 'RUNNING' OR status = 'WAITING_APPROVAL' THEN ? ELSE status END"
            + " WHERE child_id = ?", sqlHash, ownApproval,
        approvedBy == null ? null : String.join(",", approvedBy), status, childId);
  }

  void approvedBy(String childId, List<String> approvedBy) {
    sql.update("UPDATE rollout_targets SET approved_by = ? WHERE child_id = ?", String.join(",", approvedBy),
        childId);
  }

  /** The approval of {@code sqlHash} given in this rollout, if any: approvers and where. */
  Optional<String[]> approvalOf(String executionId, String stage, String sqlHash) {
    return sql.queryOne("SELECT approved_by, decided_in FROM rollout_approvals WHERE execution_id = ? AND"
        + " stage_name = ? AND sql_hash = ?", rs -> new String[] {rs.getString(1), rs.getString(2)},
        executionId, stage, sqlHash);
  }

  /** Records an approval of {@code sqlHash} for the rollout; false when one was already recorded. */
  boolean recordApproval(String executionId, String stage, String sqlHash, List<String> approvedBy,
      String decidedIn, long at) {
    try {
      sql.update("INSERT INTO rollout_approvals (execution_id, stage_name, sql_hash, approved_by, decided_in,"
          + " decided_at) VALUES (?, ?, ?, ?, ?, ?)", executionId, stage, sqlHash, String.join(",", approvedBy),
          decidedIn, at);
      return true;
    } catch (RuntimeException e) {
      if (Sql.isUniqueViolation(e)) {
        return false;
      }
      throw e;
    }
  }

  private static Rollout rollout(ResultSet rs) throws SQLException {
    return new Rollout(rs.getString("execution_id"), rs.getString("stage_name"), rs.getString("target_group"),
        rs.getString("policy"), rs.getString("status"), rs.getString("stop_reason"), rs.getString("sql_hash"),
        rs.getLong("created_at"), Sql.nullableLong(rs, "finished_at"));
  }

  private static TargetRow target(ResultSet rs) throws SQLException {
    String approved = rs.getString("approved_by");
    return new TargetRow(rs.getString("execution_id"), rs.getString("stage_name"), rs.getInt("position"),
        rs.getString("target"), rs.getString("host"), rs.getInt("wave"), rs.getString("status"),
        rs.getString("child_id"), rs.getString("error"), rs.getString("sql_hash"),
        approved == null || approved.isEmpty() ? List.of() : Arrays.asList(approved.split(",")),
        rs.getBoolean("own_approval"));
  }
}
