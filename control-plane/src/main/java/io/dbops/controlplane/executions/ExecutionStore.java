package io.dbops.controlplane.executions;

import com.fasterxml.jackson.core.type.TypeReference;
import io.dbops.api.ExecutionView;
import io.dbops.controlplane.store.Sql;
import io.dbops.pipeline.Pipeline;
import io.dbops.support.Json;
import java.io.IOException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads and writes the {@code executions} table. Thread-safe (stateless over the pool). */
final class ExecutionStore {
  private static final String COLUMNS = "id, pipeline, status, error, state, created_at, "
      + "started_at, finished_at, started_by, token_name, source, pipeline_version, inputs, parent_id, "
      + "parent_stage";

  private final Sql sql;

  ExecutionStore(Sql sql) {
    this.sql = sql;
  }

  void insert(ExecutionRecord r) {
    ExecutionOrigin o = r.origin;
    sql.update("INSERT INTO executions (id, pipeline_name, pipeline, status, error, state, created_at, "
            + "started_at, finished_at, started_by, token_name, source, pipeline_version, inputs, "
            + "parent_id, parent_stage) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        r.id, r.pipeline.name(), Json.write(r.pipeline), r.status, r.error, Json.write(r.state),
        r.createdAt, r.startedAt, r.finishedAt, o == null ? null : o.startedBy(),
        o == null ? null : o.tokenName(), o == null ? null : o.source(),
        o == null ? null : o.pipelineVersion(), o == null ? null : Json.write(o.inputs()),
        o == null ? null : o.parentId(), o == null ? null : o.parentStage());
  }

  void save(ExecutionRecord r) {
    sql.update("UPDATE executions SET status = ?, error = ?, state = ?, started_at = ?, "
            + "finished_at = ? WHERE id = ?",
        r.status, r.error, Json.write(r.state), r.startedAt, r.finishedAt, r.id);
  }

  Optional<ExecutionRecord> find(String id) {
    return sql.queryOne("SELECT " + COLUMNS + " FROM executions WHERE id = ?", ExecutionStore::map, id);
  }

  Optional<String> status(String id) {
    return sql.queryOne("SELECT status FROM executions WHERE id = ?", rs -> rs.getString(1), id);
  }

  /** The newest executions; the targets of rollouts (children) only when {@code children}. */
  List<ExecutionRecord> newest(int limit, boolean children) {
    return sql.query("SELECT " + COLUMNS + " FROM executions"
            + (children ? "" : " WHERE parent_id IS NULL") + " ORDER BY created_at DESC, id DESC",
        ExecutionStore::map, limit);
  }

  /** The targets' executions of rollout {@code parentId}, oldest first. */
  List<ExecutionRecord> children(String parentId) {
    return sql.query("SELECT " + COLUMNS + " FROM executions WHERE parent_id = ? ORDER BY created_at",
        ExecutionStore::map, 0, parentId);
  }

  /** The executions waiting for an operator's resume. */
  List<String> paused() {
    return sql.query("SELECT id FROM executions WHERE status = ? ORDER BY created_at",
        rs -> rs.getString(1), 0, "PAUSED");
  }

  List<String> unfinished() {
    return sql.query("SELECT id FROM executions WHERE status = ? OR status = ? ORDER BY created_at",
        rs -> rs.getString(1), 0, "QUEUED", "RUNNING");
  }

  /** Executions waiting for an approval, oldest first. */
  List<ExecutionRecord> waitingApproval() {
    return sql.query("SELECT " + COLUMNS + " FROM executions WHERE status = ? ORDER BY created_at",
        ExecutionStore::map, 1000, ApprovalSteps.WAITING);
  }

  static ExecutionView view(ExecutionRecord r) {
    List<ExecutionView.StageView> stages = new ArrayList<>();
    for (ExecutionState.StageState s : r.state.stages) {
      List<ExecutionView.StepView> steps = new ArrayList<>();
      for (ExecutionState.StepState st : s.steps) {
        steps.add(new ExecutionView.StepView(st.name, st.type, st.status, st.error, st.output,
            instant(st.startedAt), instant(st.finishedAt)));
      }
      stages.add(new ExecutionView.StageView(s.name, s.status, s.error, steps, s.target,
          s.delegateName, s.instance, instant(s.startedAt), instant(s.finishedAt), s.waiting, recovery(s.recovery)));
    }
    List<ExecutionView.Event> events = new ArrayList<>();
    for (ExecutionState.Event e : r.state.events) {
      events.add(new ExecutionView.Event(Instant.ofEpochMilli(e.at), e.type, e.stage, e.actor,
          e.message, e.details));
    }
    ExecutionOrigin o = r.origin;
    ExecutionView.Origin origin = o == null ? null : new ExecutionView.Origin(o.startedBy(),
        o.tokenName(), o.source(), o.pipelineName(), o.pipelineVersion(), o.inputs(), o.parentId(),
        o.parentStage());
    return new ExecutionView(r.id, r.pipeline.name(), r.status, r.error,
        Instant.ofEpochMilli(r.createdAt), instant(r.startedAt), instant(r.finishedAt), stages,
        origin, events);
  }

  private static ExecutionView.Recovery recovery(FailureRecovery r) {
    if (r == null) {
      return null;
    }
    List<ExecutionView.RollbackView> rollbacks = r.rollbacks.stream()
        .map(rb -> new ExecutionView.RollbackView(rb.applyStep, rb.tag, rb.status, rb.error, rb.output)).toList();
    return new ExecutionView.Recovery(r.strategy, r.status, r.failedStep, instant(r.pausedAt),
        instant(r.pauseDeadline), r.decision, r.decidedBy, r.retries, rollbacks, r.notUndone);
  }

  private static Instant instant(Long millis) {
    return millis == null ? null : Instant.ofEpochMilli(millis);
  }

  private static ExecutionRecord map(ResultSet rs) throws SQLException {
    try {
      Pipeline pipeline = Json.mapper().readValue(rs.getString("pipeline"), Pipeline.class);
      String source = rs.getString("source");
      ExecutionOrigin origin = null;
      if (source != null) {
        String inputs = rs.getString("inputs");
        int stored = rs.getInt("pipeline_version");
        Integer version = rs.wasNull() ? null : stored;
        origin = new ExecutionOrigin(rs.getString("started_by"), rs.getString("token_name"), source,
            pipeline.name(), version, inputs == null ? Map.of()
                : Json.mapper().readValue(inputs, new TypeReference<Map<String, String>>() {}),
            rs.getString("parent_id"), rs.getString("parent_stage"));
      }
      return new ExecutionRecord(
          rs.getString("id"),
          pipeline,
          rs.getString("status"),
          rs.getString("error"),
          Json.mapper().readValue(rs.getString("state"), ExecutionState.class),
          rs.getLong("created_at"),
          Sql.nullableLong(rs, "started_at"),
          Sql.nullableLong(rs, "finished_at"),
          origin);
    } catch (IOException e) {
      throw new IllegalStateException("Stored execution " + rs.getString("id") + " is corrupt: "
          + e.getMessage(), e);
    }
  }
}
