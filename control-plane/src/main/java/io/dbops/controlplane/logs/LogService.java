package io.dbops.controlplane.logs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dbops.api.LogPage;
import io.dbops.controlplane.Refusal;
import io.dbops.controlplane.store.Sql;
import io.dbops.logship.LogLine;
import io.dbops.logship.Progress;
import io.dbops.protocol.TaskTypes;
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
 * tail, progress, and retention. {@link LogRoutes} is its HTTP edge.
 *
 * <p>Lifecycle: {@link #start} (after the schema exists) loads the token key, moves issue #2 lines
 * into chunks and starts the sweeper; {@link #close} ends tails and stops the sweeper
 * (idempotent). The {@link DataSource} is owned by the caller. Thread-safe.
 */
public final class LogService implements AutoCloseable {
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
   * @throws Refusal 400 for a malformed batch, 409 {@code sequence_gap} or {@code stream_closed}
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
   * Refuses (401) unless {@code token} is the log token of {@code stream}: a log token is the
   * credential of exactly one stream, so for any other it is no credential at all.
   */
  void authorize(String token, String stream) {
    if (token == null) {
      throw Refusal.unauthenticated(
          "Missing log token: send 'Authorization: Bearer <token>' from the execute_step payload");
    }
    if (stream == null || !tokens.verify(stream, token)) {
      throw Refusal.unauthenticated("The log token is not valid for stream '" + stream
          + "'; send the token of the execute_step payload that names this stream");
    }
  }

  /**
   * As {@link #readAsync}, blocking the calling thread until the page is ready: for embedding
   * code and tests, never for an HTTP route (a waiting request would hold a request thread).
   */
  public LogPage read(String executionId, long after, long waitMillis, Function<String, String> status) {
    return readAsync(executionId, after, waitMillis, status).join();
  }

  /** The stream's row (created empty when new). */
  LogStore.StreamRow position(String stream) {
    return store.stream(stream, executionOf(stream));
  }

  /**
   * Closes a stream after its line {@code lastSeq} and requests its snapshot; idempotent.
   *
   * @return the stream's last seq
   */
  long close(String stream, long lastSeq) {
    long last = store.close(stream, executionOf(stream), lastSeq);
    sweeper.requestCompaction();
    wakeups.signal(executionOf(stream));
    return last;
  }

  /**
   * The streams of an execution, oldest first.
   *
   * @throws Refusal 404 for an unknown execution
   */
  List<Map<String, Object>> streams(String executionId) {
    List<LogStore.StreamRow> rows = store.streams(executionId);
    if (rows.isEmpty() && store.executionStatus(executionId).isEmpty()) {
      throw Refusal.notFound("No execution '" + executionId
          + "'; list them with GET /api/v1/executions");
    }
    return rows.stream().map(LogService::view).toList();
  }

  /** The Server-Sent Events tail. */
  LogTail tail() {
    return tail;
  }

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

  private static void validate(List<LogLine> lines) {
    if (lines.size() > LogStore.MAX_BATCH) {
      throw Refusal.invalid("A batch may hold at most " + LogStore.MAX_BATCH + " lines, not "
          + lines.size() + "; send smaller batches", List.of());
    }
    for (int i = 0; i < lines.size(); i++) {
      LogLine line = lines.get(i);
      if (line == null || line.seq() < 1 || line.text() == null) {
        throw Refusal.invalid("Every line needs a seq of at least 1 and a text (line " + i + ")", List.of());
      }
      if (i > 0 && line.seq() != lines.get(i - 1).seq() + 1) {
        throw Refusal.invalid("Lines of a batch must have consecutive seq numbers; line "
            + i + " has seq " + line.seq() + " after " + lines.get(i - 1).seq(), List.of());
      }
    }
  }

  static String executionOf(String stream) {
    Matcher m = stream == null ? null : STREAM.matcher(stream);
    if (m == null || !m.matches()) {
      throw Refusal.invalid("Stream key '" + stream
          + "' must look like executions/<executionId>/<stage>/<step>", List.of());
    }
    return m.group(1);
  }
}
