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
import io.dbops.logship.Progress;
import io.dbops.protocol.TaskTypes;
import io.dbops.support.Json;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log service (docs/logs.md): streams keyed {@code executions/<id>/<stage>/<step>[/...]},
 * appends idempotent by sequence number with gaps refused, the stream position, closing (which
 * snapshots the stream), reads by execution-wide cursor with long polls, a Server-Sent Events
 * tail, progress, and retention. Routes: {@code POST /api/v1/logs}, {@code GET
 * /api/v1/logs/position}, {@code POST /api/v1/logs/close} (log-token auth); {@code GET
 * /api/v1/executions/{id}/logs/stream} and {@code .../logs/streams}.
 *
 * <p>Lifecycle: {@link #start} (after the schema exists) loads the token key, moves issue #2 lines
 * into chunks and starts the sweeper; {@link #close} ends tails and stops the sweeper
 * (idempotent). The {@link DataSource} is owned by the caller. Thread-safe.
 */
public final class LogService implements Routes, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LogService.class);
  public static final int MAX_PAGE = 1000;
  public static final long MAX_WAIT_MILLIS = 30_000;
  private static final Pattern STREAM =
      Pattern.compile("executions/([A-Za-z0-9_-]{1,40})(/[A-Za-z0-9_.-]{1,100}){1,4}");

  private final Sql sql;
  private final Clock clock;
  private final LogStore store;
  private final Wakeups wakeups = new Wakeups();
  private final LogCompactor compactor;
  private final LogSweeper sweeper;
  private final LogTail tail;
  private final LogReads reads;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile LogTokens tokens;

  public LogService(DataSource dataSource, Clock clock, LogSettings settings) {
    this.sql = new Sql(dataSource);
    this.clock = clock;
    this.store = new LogStore(sql, clock);
    this.compactor = new LogCompactor(store);
    this.sweeper = new LogSweeper(compactor, wakeups, settings, clock);
    this.tail = new LogTail(store, wakeups);
    this.reads = new LogReads(store, wakeups);
  }

  public void start() {
    tokens = LogTokens.load(sql);
    int migrated = compactor.migrateLegacyLines();
    if (migrated > 0) {
      log.info("Moved the log lines of {} execution(s) from log_lines into log chunks", migrated);
    }
    reads.start();
    sweeper.start();
  }

  /** The control stream of an execution, where the orchestrator writes. */
  public static String controlStream(String executionId) {
    return "executions/" + executionId + "/control";
  }

  /** The stream of one step. */
  public static String stepStream(String executionId, String stage, String step) {
    return "executions/" + executionId + "/" + stage + "/" + step;
  }

  /**
   * The delegate's own lines of one stage's tasks (init, steps, cleanup). {@code _delegate} cannot
   * be a step name (step names are a-z, 0-9 and '-'), so it never collides with a step's stream.
   */
  public static String delegateStream(String executionId, String stage) {
    return "executions/" + executionId + "/" + stage + "/_delegate";
  }

  /** The bearer token that allows appending to {@code stream} only. Never log or store it. */
  public String tokenFor(String stream) {
    return tokens.tokenFor(stream);
  }

  /**
   * The payload to send in {@code task_assigned}: the stored payload with a log token filled into
   * each stream reference ({@code logStream}, and {@code delegateLogStream} for the delegate's own
   * lines of a task). Tokens are never stored. Payloads without one are returned unchanged.
   */
  public JsonNode withLogToken(String taskType, JsonNode payload) {
    boolean step = TaskTypes.EXECUTE_STEP.equals(taskType) && payload.get("logStream") instanceof ObjectNode;
    boolean delegate = payload.get("delegateLogStream") instanceof ObjectNode;
    if (!step && !delegate) {
      return payload;
    }
    ObjectNode copy = payload.deepCopy();
    if (step) {
      ObjectNode ref = (ObjectNode) copy.get("logStream");
      ref.put("token", tokenFor(ref.path("key").asText()));
    }
    if (delegate) {
      ObjectNode ref = (ObjectNode) copy.get("delegateLogStream");
      ref.put("token", tokenFor(ref.path("key").asText()));
    }
    return copy;
  }

  /**
   * Appends consecutive lines of one stream; lines already stored are skipped.
   *
   * @param progress the stream's latest progress; may be null
   * @return the last stored seq of the stream
   * @throws ApiException 400 for a malformed batch, 409 {@code sequence_gap} or {@code stream_closed}
   */
  public long append(String stream, List<LogLine> lines, Progress progress) {
    String executionId = executionOf(stream);
    validate(lines);
    Wakeups.Entry wake = wakeups.of(executionId);
    wake.appendLock.lock();
    try {
      long last = store.append(stream, executionId, lines, progress, false);
      wake.signal();
      return last;
    } finally {
      wake.appendLock.unlock();
    }
  }

  /** Appends lines without progress. */
  public long append(String stream, List<LogLine> lines) {
    return append(stream, lines, null);
  }

  /** Appends one line to the execution's control stream, with the next seq. */
  public void appendControl(String executionId, String level, String text) {
    Wakeups.Entry wake = wakeups.of(executionId);
    wake.appendLock.lock();
    try {
      store.appendNext(controlStream(executionId), executionId, clock.millis(), level, text);
      wake.signal();
    } finally {
      wake.appendLock.unlock();
    }
  }

  /** Wakes readers of an execution that just finished. */
  public void executionFinished(String executionId) {
    wakeups.signal(executionId);
  }

  /**
   * The lines of an execution after {@code after}; when there are none and the execution is not
   * finished, waits up to {@code waitMillis} without holding the calling thread (the future
   * completes on a {@code cp-log-wait} thread; answer the HTTP request with {@code ctx.future}).
   *
   * @param status the execution's current status (re-read after waiting)
   */
  public CompletableFuture<LogPage> readAsync(String executionId, long after, long waitMillis,
      Function<String, String> status) {
    return reads.read(executionId, after, waitMillis, status);
  }

  /**
   * As {@link #readAsync}, blocking the calling thread until the page is ready: for embedding
   * code and tests, never for an HTTP route (a waiting request would hold a request thread).
   */
  public LogPage read(String executionId, long after, long waitMillis, Function<String, String> status) {
    return readAsync(executionId, after, waitMillis, status).join();
  }

  @Override
  public void addTo(Javalin app) {
    app.post("/api/v1/logs", ctx -> {
      bearer(ctx);
      AppendRequest request = AppendParser.parse(ctx.req().getInputStream());
      authorize(ctx, request.stream());
      long through = append(request.stream(), request.lines(), request.progress());
      ctx.json(Map.of("acceptedThrough", through));
    });
    app.get("/api/v1/logs/position", ctx -> {
      String stream = ctx.queryParam("stream");
      authorize(ctx, stream);
      LogStore.StreamRow row = store.stream(stream, executionOf(stream));
      ctx.json(Map.of("stream", stream, "lastSeq", row.lastSeq(), "nextSeq", row.lastSeq() + 1,
          "closed", row.closed()));
    });
    app.post("/api/v1/logs/close", ctx -> {
      bearer(ctx);
      CloseRequest request = parse(ctx, CloseRequest.class);
      authorize(ctx, request.stream());
      if (request.lastSeq() == null || request.lastSeq() < 0) {
        throw ApiException.badRequest("lastSeq is required: the seq of the stream's last line (0 when empty)",
            List.of());
      }
      long last = store.close(request.stream(), executionOf(request.stream()), request.lastSeq());
      sweeper.requestCompaction();
      wakeups.signal(executionOf(request.stream()));
      ctx.json(Map.of("stream", request.stream(), "lastSeq", last, "closed", true));
    });
    app.get("/api/v1/executions/{id}/logs/stream", tail::handle);
    app.get("/api/v1/executions/{id}/logs/streams", ctx -> {
      String id = ctx.pathParam("id");
      List<LogStore.StreamRow> rows = store.streams(id);
      if (rows.isEmpty() && store.executionStatus(id).isEmpty()) {
        throw ApiException.notFound("No execution '" + id + "'; list them with GET /api/v1/executions");
      }
      ctx.json(rows.stream().map(LogService::view).toList());
    });
  }

  /** Body of {@code POST /api/v1/logs/close}. */
  record CloseRequest(String stream, Long lastSeq) {}

  /** Ends running tails and stops the sweeper. Idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      tail.stop();
      reads.close();
      sweeper.close();
    }
  }

  /** The housekeeping pass, run now (tests). */
  void sweepNow() {
    sweeper.sweep();
    sweeper.retain();
  }

  private static Map<String, Object> view(LogStore.StreamRow row) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("stream", row.stream());
    view.put("lastSeq", row.lastSeq());
    view.put("closed", row.closed());
    view.put("progress", row.progress());
    view.put("updatedAt", java.time.Instant.ofEpochMilli(row.updatedAt()).toString());
    return view;
  }

  private static String bearer(Context ctx) {
    String token = Requests.bearer(ctx.header("Authorization"));
    if (token == null) {
      throw ApiException.unauthorized(
          "Missing log token: send 'Authorization: Bearer <token>' from the execute_step payload");
    }
    return token;
  }

  private void authorize(Context ctx, String stream) {
    String token = bearer(ctx);
    if (stream == null || !tokens.verify(stream, token)) {
      throw ApiException.forbidden("The log token does not allow writing to stream '" + stream + "'");
    }
  }

  private static <T> T parse(Context ctx, Class<T> type) {
    byte[] body = ctx.bodyAsBytes();
    if (body.length == 0) {
      throw ApiException.badRequest("The request body is empty; send a JSON " + type.getSimpleName(), List.of());
    }
    try {
      T value = Json.mapper().readValue(body, type);
      if (value == null) {
        throw ApiException.badRequest("The request body is JSON null; send a JSON " + type.getSimpleName(), List.of());
      }
      return value;
    } catch (IOException e) {
      throw ApiException.badRequest("The request body is not a valid " + type.getSimpleName() + ": "
          + e.getMessage().lines().findFirst().orElse(""), List.of());
    }
  }

  private static void validate(List<LogLine> lines) {
    if (lines.size() > LogStore.MAX_BATCH) {
      throw ApiException.badRequest("A batch may hold at most " + LogStore.MAX_BATCH + " lines, not "
          + lines.size() + "; send smaller batches", List.of());
    }
    for (int i = 0; i < lines.size(); i++) {
      LogLine line = lines.get(i);
      if (line == null || line.seq() < 1 || line.text() == null) {
        throw ApiException.badRequest("Every line needs a seq of at least 1 and a text (line " + i + ")", List.of());
      }
      if (i > 0 && line.seq() != lines.get(i - 1).seq() + 1) {
        throw ApiException.badRequest("Lines of a batch must have consecutive seq numbers; line "
            + i + " has seq " + line.seq() + " after " + lines.get(i - 1).seq(), List.of());
      }
    }
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
