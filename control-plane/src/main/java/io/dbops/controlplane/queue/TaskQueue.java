package io.dbops.controlplane.queue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.controlplane.store.Ids;
import io.dbops.controlplane.store.Sql;
import io.dbops.support.Json;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The durable task queue (table {@code tasks}). Claims are atomic conditional updates, so two
 * delegates (or two replicas) can never both win one task; results are stored once. Thread-safe.
 * Listeners are told about queued and finished tasks on the calling thread.
 */
public final class TaskQueue {
  private static final String COLUMNS = "id, execution_id, task_type, payload, selectors, "
      + "pinned_instance, status, delegate_instance, attempt, timeout_seconds, created_at, "
      + "started_at, finished_at, result, error";

  private final Sql sql;
  private final Clock clock;
  private final Ids ids;
  private final List<TaskListener> listeners = new CopyOnWriteArrayList<>();

  /** Outcome of a claim. */
  public enum ClaimOutcome { ASSIGNED, ALREADY_HELD, ALREADY_TAKEN, NOT_OFFERED }

  public TaskQueue(Sql sql, Clock clock, Ids ids) {
    this.sql = sql;
    this.clock = clock;
    this.ids = ids;
  }

  public void addListener(TaskListener listener) {
    listeners.add(listener);
  }

  public Task enqueue(NewTask t) {
    String id = ids.next("task-", 16);
    long now = clock.millis();
    sql.update("INSERT INTO tasks (id, execution_id, task_type, payload, selectors, pinned_instance, "
            + "status, attempt, timeout_seconds, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        id, t.executionId(), t.type(), Json.write(t.payload()), Json.write(t.selectors()),
        t.pinnedInstance(), Task.QUEUED, 1, t.timeoutSeconds(), now);
    Task task = find(id).orElseThrow();
    listeners.forEach(l -> l.taskQueued(task));
    return task;
  }

  public Optional<Task> find(String id) {
    return sql.queryOne("SELECT " + COLUMNS + " FROM tasks WHERE id = ?", TaskQueue::map, id);
  }

  /** Queued tasks, oldest first, at most {@code limit}. */
  public List<Task> queued(int limit) {
    return sql.query("SELECT " + COLUMNS + " FROM tasks WHERE status = ? ORDER BY created_at, id",
        TaskQueue::map, limit, Task.QUEUED);
  }

  public List<Task> running() {
    return sql.query("SELECT " + COLUMNS + " FROM tasks WHERE status = ? ORDER BY started_at",
        TaskQueue::map, 0, Task.RUNNING);
  }

  public int countRunning(String instanceId) {
    return sql.queryOne("SELECT COUNT(*) FROM tasks WHERE status = ? AND delegate_instance = ?",
        rs -> rs.getInt(1), Task.RUNNING, instanceId).orElse(0);
  }

  /**
   * Gives the task to {@code instanceId} if still queued (and not pinned elsewhere).
   * {@link ClaimOutcome#ALREADY_HELD} means this instance holds it already (a duplicate claim).
   */
  public ClaimOutcome claim(String taskId, String instanceId) {
    int rows = sql.update("UPDATE tasks SET status = ?, delegate_instance = ?, started_at = ? "
            + "WHERE id = ? AND status = ? AND (pinned_instance IS NULL OR pinned_instance = ?)",
        Task.RUNNING, instanceId, clock.millis(), taskId, Task.QUEUED, instanceId);
    if (rows == 1) {
      return ClaimOutcome.ASSIGNED;
    }
    Optional<Task> task = find(taskId);
    if (task.isEmpty()) {
      return ClaimOutcome.NOT_OFFERED;
    }
    Task t = task.get();
    if (Task.RUNNING.equals(t.status())) {
      return instanceId.equals(t.delegateInstance()) ? ClaimOutcome.ALREADY_HELD
          : ClaimOutcome.ALREADY_TAKEN;
    }
    if (Task.QUEUED.equals(t.status())) {
      return ClaimOutcome.NOT_OFFERED; // pinned to another instance
    }
    return ClaimOutcome.ALREADY_TAKEN;
  }

  /**
   * Stores the result of a task held RUNNING by {@code instanceId}. Returns the finished task when
   * this call stored it; empty for duplicates and tasks this instance does not hold.
   */
  public Optional<Task> complete(String taskId, String instanceId, String status, String error,
      JsonNode output) {
    String finalStatus = Task.SUCCEEDED.equals(status) ? Task.SUCCEEDED : Task.FAILED;
    int rows = sql.update("UPDATE tasks SET status = ?, finished_at = ?, result = ?, error = ? "
            + "WHERE id = ? AND status = ? AND delegate_instance = ?",
        finalStatus, clock.millis(), output == null || output.isNull() ? null : Json.write(output),
        error, taskId, Task.RUNNING, instanceId);
    return rows == 1 ? finished(taskId) : Optional.empty();
  }

  /** Fails a RUNNING task with {@code error} (timeouts); empty when it had finished meanwhile. */
  public Optional<Task> fail(String taskId, String error) {
    int rows = sql.update("UPDATE tasks SET status = ?, finished_at = ?, error = ? "
            + "WHERE id = ? AND status = ?",
        Task.FAILED, clock.millis(), error, taskId, Task.RUNNING);
    return rows == 1 ? finished(taskId) : Optional.empty();
  }

  private Optional<Task> finished(String taskId) {
    Optional<Task> task = find(taskId);
    task.ifPresent(t -> listeners.forEach(l -> l.taskFinished(t)));
    return task;
  }

  private static Task map(ResultSet rs) throws SQLException {
    String result = rs.getString("result");
    return new Task(
        rs.getString("id"),
        rs.getString("execution_id"),
        rs.getString("task_type"),
        readTree(rs.getString("payload")),
        Json.mapper().convertValue(readTree(rs.getString("selectors")),
            new TypeReference<List<String>>() {}),
        rs.getString("pinned_instance"),
        rs.getString("status"),
        rs.getString("delegate_instance"),
        rs.getInt("attempt"),
        rs.getInt("timeout_seconds"),
        rs.getLong("created_at"),
        Sql.nullableLong(rs, "started_at"),
        Sql.nullableLong(rs, "finished_at"),
        result == null ? null : readTree(result),
        rs.getString("error"));
  }

  private static JsonNode readTree(String json) {
    try {
      return Json.mapper().readTree(json);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("Stored task JSON is corrupt: " + e.getMessage(), e);
    }
  }
}
