package io.dbops.controlplane.queue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.dbops.controlplane.http.Access;
import io.dbops.controlplane.Refusal;
import io.dbops.controlplane.http.Edge;
import io.dbops.controlplane.http.Requests;
import io.dbops.controlplane.http.Routes;
import io.dbops.controlplane.identity.Verb;
import io.dbops.protocol.TaskTypes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Diagnostics tasks: {@code POST /api/v1/tasks} queues a {@code noop} task outside any execution
 * and {@code GET /api/v1/tasks/{id}} shows any task. For health checks and benchmarks of the
 * dispatch path; admin only (verb tasks), and a task sleeps at most {@value #MAX_SLEEP_MILLIS} ms.
 */
public final class TaskRoutes implements Routes {
  static final int MAX_TIMEOUT_SECONDS = 86_400;
  /** The longest a diagnostics task may sleep on a delegate. */
  public static final long MAX_SLEEP_MILLIS = 60_000;

  private final TaskQueue queue;

  /** Body of {@code POST /api/v1/tasks}. */
  record SubmitTask(String type, JsonNode payload, List<String> selectors, Integer timeoutSeconds) {}

  /** A task as {@code GET /api/v1/tasks/{id}} shows it. */
  public record TaskView(String id, String type, String status, int attempt, String delegateInstance,
      Instant createdAt, Instant startedAt, Instant finishedAt, Instant leaseExpiresAt,
      String error) {}

  public TaskRoutes(TaskQueue queue) {
    this.queue = queue;
  }

  @Override
  public void addTo(Edge edge) {
    edge.post("/api/v1/tasks", Access.verb(Verb.TASKS), ctx -> {
      SubmitTask request = Requests.body(ctx, SubmitTask.class);
      Edge.audit(ctx, "task.submit", TaskTypes.NOOP);
      List<String> problems = new ArrayList<>();
      if (!TaskTypes.NOOP.equals(request.type())) {
        problems.add("type must be 'noop' (only diagnostics tasks may be submitted directly), not '"
            + request.type() + "'");
      }
      JsonNode payload = request.payload() == null || request.payload().isNull()
          ? JsonNodeFactory.instance.objectNode() : request.payload();
      if (!payload.isObject()) {
        problems.add("payload must be a JSON object such as {\"sleepMillis\": 100}");
      } else if (payload.has("sleepMillis") && (!payload.get("sleepMillis").canConvertToLong()
          || payload.get("sleepMillis").asLong() < 0
          || payload.get("sleepMillis").asLong() > MAX_SLEEP_MILLIS)) {
        problems.add("payload.sleepMillis must be a number of milliseconds between 0 and "
            + MAX_SLEEP_MILLIS + " (diagnostics tasks are capped so they cannot occupy delegates)");
      }
      int timeout = request.timeoutSeconds() == null ? 60 : request.timeoutSeconds();
      if (timeout < 1 || timeout > MAX_TIMEOUT_SECONDS) {
        problems.add("timeoutSeconds must be between 1 and " + MAX_TIMEOUT_SECONDS + ", not "
            + timeout);
      }
      List<String> selectors = request.selectors() == null ? List.of() : request.selectors();
      if (selectors.stream().anyMatch(s -> s == null || s.isBlank())) {
        problems.add("selectors must not contain empty tags");
      }
      if (!problems.isEmpty()) {
        throw Refusal.invalid("Invalid task: " + String.join("; ", problems), problems);
      }
      Task task = queue.enqueue(new NewTask(null, TaskTypes.NOOP, payload, selectors, null, timeout));
      Edge.audit(ctx, "task.submit", task.id(), Map.of("type", TaskTypes.NOOP));
      ctx.status(201).json(Map.of("id", task.id()));
    });
    edge.get("/api/v1/tasks/{id}", Access.verb(Verb.TASKS), ctx -> {
      String id = ctx.pathParam("id");
      Task t = queue.find(id).orElseThrow(() -> Refusal.notFound("No task '" + id + "'"));
      ctx.json(new TaskView(t.id(), t.type(), t.status().name(), t.attempt(), t.delegateInstance(),
          Instant.ofEpochMilli(t.createdAt()), instant(t.startedAt()), instant(t.finishedAt()),
          instant(t.leaseExpiresAt()), t.error()));
    });
  }

  private static Instant instant(Long millis) {
    return millis == null ? null : Instant.ofEpochMilli(millis);
  }
}
