package io.dbops.controlplane.logs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dbops.api.LogPage;
import io.dbops.controlplane.http.ApiException;
import io.dbops.controlplane.http.Requests;
import io.dbops.controlplane.http.Routes;
import io.dbops.controlplane.store.Sql;
import io.dbops.logship.AppendRequest;
import io.dbops.logship.LogLine;
import io.dbops.protocol.TaskTypes;
import io.javalin.Javalin;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The log service: idempotent appends by {@code (stream, seq)}, reads by execution-wide cursor,
 * and long polls. Stream keys are {@code executions/<executionId>/...}. Route: {@code POST
 * /api/v1/logs} (log-token auth). Thread-safe: appends of one execution are serialized on that
 * execution's monitor so cursors grow in commit order and a reader never skips a line; readers
 * wait on the same monitor. Single-replica: long polls are woken only by appends on this process.
 */
public final class LogService implements Routes {
  public static final int MAX_PAGE = 1000;
  public static final long MAX_WAIT_MILLIS = 30_000;
  private static final Pattern STREAM =
      Pattern.compile("executions/([A-Za-z0-9_-]{1,40})(/[A-Za-z0-9_.-]{1,100}){1,3}");

  private final Sql sql;
  private final Clock clock;
  private final Map<String, Monitor> monitors = new ConcurrentHashMap<>();
  private volatile LogTokens tokens;

  /** Per-execution lock and wake-up signal. */
  private static final class Monitor {
    long version; // guarded by this
  }

  public LogService(Sql sql, Clock clock) {
    this.sql = sql;
    this.clock = clock;
  }

  /** Loads (or creates) the token key; call after the schema exists. */
  public void start() {
    tokens = LogTokens.load(sql);
  }

  /** The control stream of an execution, where the orchestrator writes. */
  public static String controlStream(String executionId) {
    return "executions/" + executionId + "/control";
  }

  /** The stream of one step. */
  public static String stepStream(String executionId, String stage, String step) {
    return "executions/" + executionId + "/" + stage + "/" + step;
  }

  /** The bearer token that allows appending to {@code stream} only. Never log or store it. */
  public String tokenFor(String stream) {
    return tokens.tokenFor(stream);
  }

  /**
   * The payload to send in {@code task_assigned}: for {@code execute_step}, the stored payload with
   * the log token filled in (the token is never stored). Other payloads are returned unchanged.
   */
  public JsonNode withLogToken(String taskType, JsonNode payload) {
    if (!TaskTypes.EXECUTE_STEP.equals(taskType) || !(payload.get("logStream") instanceof ObjectNode)) {
      return payload;
    }
    ObjectNode copy = payload.deepCopy();
    ObjectNode logStream = (ObjectNode) copy.get("logStream");
    logStream.put("token", tokenFor(logStream.path("key").asText()));
    return copy;
  }

  /**
   * Appends consecutive lines of one stream; lines already stored are skipped.
   *
   * @return the last stored seq of the stream
   * @throws ApiException 400 for a malformed batch, 409 {@code sequence_gap} for a gap
   */
  public long append(String stream, List<LogLine> lines) {
    String executionId = executionOf(stream);
    for (int i = 1; i < lines.size(); i++) {
      if (lines.get(i).seq() != lines.get(i - 1).seq() + 1) {
        throw ApiException.badRequest("Lines of a batch must have consecutive seq numbers; line "
            + i + " has seq " + lines.get(i).seq() + " after " + lines.get(i - 1).seq(), List.of());
      }
    }
    for (LogLine line : lines) {
      if (line.seq() < 1 || line.text() == null) {
        throw ApiException.badRequest("Every line needs a seq of at least 1 and a text", List.of());
      }
    }
    Monitor monitor = monitor(executionId);
    synchronized (monitor) {
      long last = lastSeq(stream);
      if (lines.isEmpty()) {
        return last;
      }
      long first = lines.get(0).seq();
      if (first > last + 1) {
        throw new ApiException(409, "sequence_gap", "Batch of " + stream + " starts at seq " + first
            + " but the stored last is " + last + "; resend from seq " + (last + 1),
            List.of("expected seq " + (last + 1)));
      }
      boolean added = false;
      for (LogLine line : lines) {
        if (line.seq() <= last) {
          continue;
        }
        insert(executionId, stream, line);
        last = line.seq();
        added = true;
      }
      if (added) {
        monitor.version++;
        monitor.notifyAll();
      }
      return last;
    }
  }

  /** Appends one line to the execution's control stream, with the next seq. */
  public void appendControl(String executionId, String level, String text) {
    String stream = controlStream(executionId);
    Monitor monitor = monitor(executionId);
    synchronized (monitor) {
      long seq = lastSeq(stream) + 1;
      append(stream, List.of(new LogLine(seq, clock.millis(), level, text)));
    }
  }

  /** Wakes long polls of an execution that just finished. */
  public void executionFinished(String executionId) {
    Monitor monitor = monitor(executionId);
    synchronized (monitor) {
      monitor.version++;
      monitor.notifyAll();
    }
  }

  /**
   * The lines of an execution after {@code after}; waits up to {@code waitMillis} when there are
   * none and the execution is not finished.
   *
   * @param status the execution's current status (re-read after waiting)
   */
  public LogPage read(String executionId, long after, long waitMillis,
      Function<String, String> status) throws InterruptedException {
    long deadline = System.nanoTime() + Math.min(waitMillis, MAX_WAIT_MILLIS) * 1_000_000L;
    Monitor monitor = monitor(executionId);
    while (true) {
      long version;
      synchronized (monitor) {
        version = monitor.version;
      }
      List<LogPage.Line> lines = lines(executionId, after);
      String current = status.apply(executionId);
      boolean finished = "SUCCEEDED".equals(current) || "FAILED".equals(current);
      long remaining = (deadline - System.nanoTime()) / 1_000_000L;
      if (!lines.isEmpty() || finished || remaining <= 0) {
        long next = lines.isEmpty() ? after : lines.get(lines.size() - 1).cursor();
        return new LogPage(lines, next, current);
      }
      synchronized (monitor) {
        if (monitor.version == version) {
          monitor.wait(remaining);
        }
      }
    }
  }

  @Override
  public void addTo(Javalin app) {
    app.post("/api/v1/logs", ctx -> {
      String token = Requests.bearer(ctx.header("Authorization"));
      if (token == null) {
        throw ApiException.unauthorized(
            "Missing log token: send 'Authorization: Bearer <token>' from the execute_step payload");
      }
      AppendRequest request = Requests.body(ctx, AppendRequest.class);
      if (request.stream() == null || !tokens.verify(request.stream(), token)) {
        throw ApiException.forbidden("The log token does not allow appending to stream '"
            + request.stream() + "'");
      }
      long through = append(request.stream(), request.lines());
      ctx.json(Map.of("acceptedThrough", through));
    });
  }

  private List<LogPage.Line> lines(String executionId, long after) {
    return sql.query("SELECT cursor_pos, stream, seq, ts, line_level, line_text FROM log_lines "
            + "WHERE execution_id = ? AND cursor_pos > ? ORDER BY cursor_pos",
        rs -> new LogPage.Line(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getLong(4),
            rs.getString(5), rs.getString(6)),
        MAX_PAGE, executionId, after);
  }

  private long lastSeq(String stream) {
    return sql.queryOne("SELECT MAX(seq) FROM log_lines WHERE stream = ?",
        rs -> {
          long v = rs.getLong(1);
          return rs.wasNull() ? 0L : v;
        },
        stream).orElse(0L);
  }

  private void insert(String executionId, String stream, LogLine line) {
    sql.update("INSERT INTO log_lines (execution_id, stream, seq, ts, line_level, line_text) "
            + "VALUES (?, ?, ?, ?, ?, ?)",
        executionId, stream, line.seq(), line.ts(),
        line.level() == null ? "INFO" : line.level(), line.text());
  }

  private Monitor monitor(String executionId) {
    return monitors.computeIfAbsent(executionId, id -> new Monitor());
  }

  static String executionOf(String stream) {
    Matcher m = stream == null ? null : STREAM.matcher(stream);
    if (m == null || !m.matches()) {
      throw ApiException.badRequest("Stream key '" + stream
          + "' must look like executions/<executionId>/<stage>/<step>", List.of());
    }
    return m.group(1);
  }
}
