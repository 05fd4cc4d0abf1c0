package io.dbops.controlplane.queue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.controlplane.store.Ids;
import io.dbops.controlplane.store.Sql;
import io.dbops.protocol.TaskStatus;
import io.dbops.support.Json;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The durable task queue (table {@code tasks}). Every state change is a conditional UPDATE on the
 * expected current state (and attempt), so two delegates, two replicas or two sweepers can never
 * both win one transition; results are stored once. Thread-safe. Listeners are told about changes
 * on the calling thread, once per change actually made.
 */
public final class TaskQueue {
  private static final String COLUMNS = "id, execution_id, task_type, payload, selectors, "
      + "pinned_instance, status, delegate_instance, attempt, timeout_seconds, created_at, "
      + "started_at, finished_at, result, error, queued_at, lease_expires_at, reachability, "
      + "abort_reason";

  private final Sql sql;
  private final Clock clock;
  private final Ids ids;
  private final List<TaskListener> listeners = new CopyOnWriteArrayList<>();

  /** Outcome of a claim. */
  public enum ClaimOutcome { ASSIGNED, ALREADY_HELD, ALREADY_TAKEN, NOT_OFFERED }

  /** A RUNNING task held by an instance, as lease renewal needs it. */
  public record Held(String id, int attempt, String abortReason) {}

  /** A delegate's recorded refusal of a task ({@code claim_declined}). */
  public record Decline(String taskId, String instanceId, String delegateName, String reason) {}

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
            + "status, attempt, timeout_seconds, created_at, queued_at, reachability) "
            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        id, t.executionId(), t.type(), Json.write(t.payload()), Json.write(t.selectors()),
        t.pinnedInstance(), TaskStatus.QUEUED, 1, t.timeoutSeconds(), now, now, t.reachability());
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
        TaskQueue::map, limit, TaskStatus.QUEUED);
  }

  public List<Task> running() {
    return sql.query("SELECT " + COLUMNS + " FROM tasks WHERE status = ? ORDER BY started_at",
        TaskQueue::map, 0, TaskStatus.RUNNING);
  }

  /** The unfinished (QUEUED or RUNNING) tasks of an execution. */
  public List<Task> unfinished(String executionId) {
    return sql.query("SELECT " + COLUMNS + " FROM tasks WHERE execution_id = ? AND status IN (?, ?)",
        TaskQueue::map, 0, executionId, TaskStatus.QUEUED, TaskStatus.RUNNING);
  }

  public int countRunning(String instanceId) {
    return sql.queryOne("SELECT COUNT(*) FROM tasks WHERE delegate_instance = ? AND status = ?",
        rs -> rs.getInt(1), instanceId, TaskStatus.RUNNING).orElse(0);
  }

  /** Number of tasks with {@code status}. */
  public long count(TaskStatus status) {
    return sql.queryOne("SELECT COUNT(*) FROM tasks WHERE status = ?", rs -> rs.getLong(1), status)
        .orElse(0L);
  }

  /** The RUNNING tasks {@code instanceId} holds. */
  public List<Held> heldBy(String instanceId) {
    return sql.query("SELECT id, attempt, abort_reason FROM tasks WHERE delegate_instance = ? "
            + "AND status = ?",
        rs -> new Held(rs.getString(1), rs.getInt(2), rs.getString(3)), 0, instanceId, TaskStatus.RUNNING);
  }

  /**
   * Gives the task to {@code instanceId} if still queued (and not pinned elsewhere), with a lease
   * ending at {@code leaseExpiresAt}. {@link ClaimOutcome#ALREADY_HELD} means this instance holds
   * it already (a duplicate claim).
   */
  public ClaimOutcome claim(String taskId, String instanceId, String tokenId, long leaseExpiresAt) {
    int rows = sql.update("UPDATE tasks SET status = ?, delegate_instance = ?, token_id = ?, started_at = ?, "
            + "lease_expires_at = ?, unmatched_since = NULL "
            + "WHERE id = ? AND status = ? AND (pinned_instance IS NULL OR pinned_instance = ?)",
        TaskStatus.RUNNING, instanceId, tokenId, clock.millis(), leaseExpiresAt, taskId, TaskStatus.QUEUED, instanceId);
    if (rows == 1) {
      return ClaimOutcome.ASSIGNED;
    }
    Optional<Task> task = find(taskId);
    if (task.isEmpty()) {
      return ClaimOutcome.NOT_OFFERED;
    }
    Task t = task.get();
    if (t.status() == TaskStatus.RUNNING) {
      return instanceId.equals(t.delegateInstance()) ? ClaimOutcome.ALREADY_HELD
          : ClaimOutcome.ALREADY_TAKEN;
    }
    if (t.status() == TaskStatus.QUEUED) {
      return ClaimOutcome.NOT_OFFERED; // pinned to another instance
    }
    return ClaimOutcome.ALREADY_TAKEN;
  }

  /**
   * {@link #claim} by a delegate named {@code delegateName} (its hello), which the execution
   * shows as the stage's delegate ({@link #delegateName}).
   */
  public ClaimOutcome claim(String taskId, String instanceId, String delegateName, String tokenId,
      long leaseExpiresAt) {
    ClaimOutcome outcome = claim(taskId, instanceId, tokenId, leaseExpiresAt);
    if (outcome == ClaimOutcome.ASSIGNED && delegateName != null) {
      sql.update("UPDATE tasks SET delegate_name = ? WHERE id = ? AND delegate_instance = ?",
          delegateName, taskId, instanceId);
    }
    return outcome;
  }

  /** The name of the delegate that claimed the task (its last attempt), if recorded. */
  public Optional<String> delegateName(String taskId) {
    return sql.query("SELECT delegate_name FROM tasks WHERE id = ? AND delegate_name IS NOT NULL",
        rs -> rs.getString(1), 1, taskId).stream().findFirst();
  }

  /** Extends the leases of {@code taskIds} that {@code instanceId} holds RUNNING. */
  public int renew(String instanceId, Collection<String> taskIds, long leaseExpiresAt) {
    if (taskIds.isEmpty()) {
      return 0;
    }
    List<Object> args = new ArrayList<>(List.of(leaseExpiresAt, instanceId, TaskStatus.RUNNING));
    args.addAll(taskIds);
    return sql.update("UPDATE tasks SET lease_expires_at = ? WHERE delegate_instance = ? AND status = ?"
        + " AND id IN (" + placeholders(taskIds.size()) + ")", args.toArray());
  }

  /**
   * Stores the result of attempt {@code attempt} of a RUNNING task held by {@code instanceId}, or
   * claimed with {@code tokenId}: a delegate restarted on the same state directory is a new
   * instance, and delivers the results its predecessor left in the outbox. The attempt number keeps
   * a stale result out. Returns the finished task when this call stored it; empty for duplicates,
   * stale attempts and tasks of other delegates.
   */
  public Optional<Task> complete(String taskId, String instanceId, String tokenId, int attempt,
      TaskStatus status, String error, JsonNode output) {
    // a delegate reports only a final status; anything else counts as a failure
    TaskStatus finalStatus = status == TaskStatus.SUCCEEDED ? TaskStatus.SUCCEEDED : TaskStatus.FAILED;
    int rows = sql.update("UPDATE tasks SET status = ?, finished_at = ?, result = ?, error = ?, "
            + "lease_expires_at = NULL WHERE id = ? AND status = ? "
            + "AND (delegate_instance = ? OR token_id = ?) AND attempt = ?",
        finalStatus, clock.millis(), output == null || output.isNull() ? null : Json.write(output),
        error, taskId, TaskStatus.RUNNING, instanceId, tokenId, attempt);
    return rows == 1 ? finished(taskId) : Optional.empty();
  }

  /** Fails a RUNNING task with {@code error} (timeouts); empty when it had finished meanwhile. */
  public Optional<Task> fail(String taskId, String error) {
    int rows = sql.update("UPDATE tasks SET status = ?, finished_at = ?, error = ?, "
            + "lease_expires_at = NULL WHERE id = ? AND status = ?",
        TaskStatus.FAILED, clock.millis(), error, taskId, TaskStatus.RUNNING);
    return rows == 1 ? finished(taskId) : Optional.empty();
  }

  /** Fails a QUEUED task (cancelled, or no eligible delegate); empty when no longer queued. */
  public Optional<Task> failQueued(String taskId, String error) {
    int rows = sql.update("UPDATE tasks SET status = ?, finished_at = ?, error = ? "
            + "WHERE id = ? AND status = ?",
        TaskStatus.FAILED, clock.millis(), error, taskId, TaskStatus.QUEUED);
    return rows == 1 ? finished(taskId) : Optional.empty();
  }

  /**
   * Fails attempt {@code attempt} of a RUNNING task whose lease lapsed before {@code now}; empty
   * when it was renewed, finished or recovered meanwhile (another replica's sweeper).
   */
  public Optional<Task> failLapsed(String taskId, int attempt, long now, String error) {
    int rows = sql.update("UPDATE tasks SET status = ?, finished_at = ?, error = ?, "
            + "lease_expires_at = NULL WHERE id = ? AND status = ? AND attempt = ? "
            + "AND lease_expires_at < ?",
        TaskStatus.FAILED, now, error, taskId, TaskStatus.RUNNING, attempt, now);
    return rows == 1 ? finished(taskId) : Optional.empty();
  }

  /** Queues attempt {@code attempt} again (attempt + 1) when its lease lapsed before {@code now}. */
  public Optional<Task> requeueLapsed(String taskId, int attempt, long now) {
    Optional<Task> before = find(taskId);
    int rows = sql.update(requeueSql() + " AND attempt = ? AND lease_expires_at < ?",
        now, taskId, TaskStatus.RUNNING, attempt, now);
    return rows == 1 ? requeued(taskId, before.map(Task::delegateInstance).orElse(null))
        : Optional.empty();
  }

  /** Queues a task {@code instanceId} holds again (attempt + 1): {@code task_release}. */
  public Optional<Task> release(String taskId, String instanceId) {
    int rows = sql.update(requeueSql() + " AND delegate_instance = ?",
        clock.millis(), taskId, TaskStatus.RUNNING, instanceId);
    return rows == 1 ? requeued(taskId, instanceId) : Optional.empty();
  }

  private static String requeueSql() {
    return "UPDATE tasks SET status = '" + TaskStatus.QUEUED.name() + "', delegate_instance = NULL, started_at = NULL, "
        + "lease_expires_at = NULL, abort_reason = NULL, unmatched_since = NULL, "
        + "attempt = attempt + 1, queued_at = ? WHERE id = ? AND status = ?";
  }

  /**
   * Marks the RUNNING tasks of an execution (except cleanups) to be aborted with {@code reason}
   * and tells the listeners (the hub sends {@code abort}; other replicas answer the next
   * {@code lease_renew}).
   */
  public List<Task> requestAbort(String executionId, String reason) {
    sql.update("UPDATE tasks SET abort_reason = ? WHERE execution_id = ? AND status = ? "
        + "AND task_type <> 'cleanup_stage'", reason, executionId, TaskStatus.RUNNING);
    List<Task> running = sql.query("SELECT " + COLUMNS + " FROM tasks WHERE execution_id = ? "
        + "AND status = ? AND abort_reason IS NOT NULL", TaskQueue::map, 0, executionId, TaskStatus.RUNNING);
    running.forEach(t -> listeners.forEach(l -> l.taskAbortRequested(t)));
    return running;
  }

  /** Records that {@code ids} had no eligible delegate at {@code now} (first time only). */
  public void markUnmatched(Collection<String> taskIds, long now) {
    if (taskIds.isEmpty()) {
      return;
    }
    List<Object> args = new ArrayList<>(List.of(now, TaskStatus.QUEUED));
    args.addAll(taskIds);
    sql.update("UPDATE tasks SET unmatched_since = ? WHERE status = ? AND unmatched_since IS NULL "
        + "AND id IN (" + placeholders(taskIds.size()) + ")", args.toArray());
  }

  /**
   * Marks one QUEUED task unmatched since {@code now} unless it already is; true when this call
   * marked it (so one replica announces it).
   */
  public boolean markUnmatched(String taskId, long now) {
    return sql.update("UPDATE tasks SET unmatched_since = ? WHERE id = ? AND status = ? "
        + "AND unmatched_since IS NULL", now, taskId, TaskStatus.QUEUED) == 1;
  }

  /** Tells the listeners that no live delegate can take {@code task}; see {@link TaskListener}. */
  public void reportUnmatched(Task task, List<String> reasons, long failsAt) {
    List<String> copy = List.copyOf(reasons);
    listeners.forEach(l -> l.taskUnmatched(task, copy, failsAt));
  }

  /** Clears the unmatched mark of {@code ids} (an eligible delegate exists again). */
  public void clearUnmatched(Collection<String> taskIds) {
    if (taskIds.isEmpty()) {
      return;
    }
    sql.update("UPDATE tasks SET unmatched_since = NULL WHERE unmatched_since IS NOT NULL "
        + "AND id IN (" + placeholders(taskIds.size()) + ")", taskIds.toArray());
  }

  /** When the QUEUED task was first seen without an eligible delegate; null when it has one. */
  public Map<String, Long> unmatchedSince(Collection<String> taskIds) {
    Map<String, Long> since = new HashMap<>();
    if (taskIds.isEmpty()) {
      return since;
    }
    sql.query("SELECT id, unmatched_since FROM tasks WHERE unmatched_since IS NOT NULL AND id IN ("
        + placeholders(taskIds.size()) + ")", rs -> since.put(rs.getString(1), rs.getLong(2)), 0,
        taskIds.toArray());
    return since;
  }

  /** Fails a QUEUED task still unmatched since before {@code cutoff}; conditional. */
  public Optional<Task> failUnmatched(String taskId, long cutoff, String error) {
    int rows = sql.update("UPDATE tasks SET status = ?, finished_at = ?, error = ? WHERE id = ? "
            + "AND status = ? AND unmatched_since IS NOT NULL AND unmatched_since < ?",
        TaskStatus.FAILED, clock.millis(), error, taskId, TaskStatus.QUEUED, cutoff);
    return rows == 1 ? finished(taskId) : Optional.empty();
  }

  /** Records (or replaces) a delegate instance's refusal of a task. */
  public void recordDecline(Decline d) {
    int rows = sql.update("UPDATE task_declines SET reason = ?, delegate_name = ?, declined_at = ? "
        + "WHERE task_id = ? AND instance_id = ?", d.reason(), d.delegateName(), clock.millis(),
        d.taskId(), d.instanceId());
    if (rows == 0) {
      try {
        sql.update("INSERT INTO task_declines (task_id, instance_id, delegate_name, reason, "
            + "declined_at) VALUES (?, ?, ?, ?, ?)", d.taskId(), d.instanceId(), d.delegateName(),
            d.reason(), clock.millis());
      } catch (Sql.StoreException e) {
        if (!Sql.isUniqueViolation(e)) {
          throw e;
        }
      }
    }
  }

  /** The declines of {@code taskIds}, by task id. */
  public Map<String, List<Decline>> declines(Collection<String> taskIds) {
    Map<String, List<Decline>> byTask = new HashMap<>();
    if (taskIds.isEmpty()) {
      return byTask;
    }
    sql.query("SELECT task_id, instance_id, delegate_name, reason FROM task_declines WHERE task_id IN ("
            + placeholders(taskIds.size()) + ")",
        rs -> byTask.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(
            new Decline(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4))),
        0, taskIds.toArray());
    return byTask;
  }

  private Optional<Task> finished(String taskId) {
    Optional<Task> task = find(taskId);
    task.ifPresent(t -> listeners.forEach(l -> l.taskFinished(t)));
    return task;
  }

  private Optional<Task> requeued(String taskId, String previousInstance) {
    Optional<Task> task = find(taskId);
    task.ifPresent(t -> listeners.forEach(l -> l.taskRequeued(t, previousInstance)));
    return task;
  }

  static String placeholders(int n) {
    return String.join(", ", java.util.Collections.nCopies(n, "?"));
  }

  private static Task map(ResultSet rs) throws SQLException {
    String result = rs.getString("result");
    Long queuedAt = Sql.nullableLong(rs, "queued_at");
    return new Task(
        rs.getString("id"),
        rs.getString("execution_id"),
        rs.getString("task_type"),
        readTree(rs.getString("payload")),
        Json.mapper().convertValue(readTree(rs.getString("selectors")),
            new TypeReference<List<String>>() {}),
        rs.getString("pinned_instance"),
        TaskStatus.valueOf(rs.getString("status")),
        rs.getString("delegate_instance"),
        rs.getInt("attempt"),
        rs.getInt("timeout_seconds"),
        rs.getLong("created_at"),
        Sql.nullableLong(rs, "started_at"),
        Sql.nullableLong(rs, "finished_at"),
        result == null ? null : readTree(result),
        rs.getString("error"),
        queuedAt == null ? rs.getLong("created_at") : queuedAt,
        Sql.nullableLong(rs, "lease_expires_at"),
        rs.getString("reachability"),
        rs.getString("abort_reason"));
  }

  private static JsonNode readTree(String json) {
    try {
      return Json.mapper().readTree(json);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("Stored task JSON is corrupt: " + e.getMessage(), e);
    }
  }
}
