package io.dbops.controlplane.logs;

import io.dbops.api.LogPage;
import io.dbops.controlplane.Refusal;
import io.dbops.logship.Progress;
import io.dbops.support.Json;
import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/v1/executions/{id}/logs/stream}: an execution's log as Server-Sent Events
 * (docs/logs.md). Each line is an {@code event: line} whose {@code id} is its cursor, so a client
 * resumes with {@code Last-Event-ID}; progress changes are {@code event: progress}; once the
 * execution finished and every line was sent, {@code event: end} closes the stream. A tail holds
 * one HTTP thread; it wakes on appends of this process and re-reads every second (appends through
 * other replicas). At most {@value #MAX_TAILS} tails run at once, and at most
 * {@value #MAX_TAILS_PER_CLIENT} per client address (429 beyond it, 503 beyond the total), so
 * tails never take more than a third of the request threads and one client cannot take them all.
 * Thread-safe.
 */
final class LogTail {
  private static final Logger log = LoggerFactory.getLogger(LogTail.class);
  static final int MAX_TAILS = 64;
  static final int MAX_TAILS_PER_CLIENT = 8;
  private static final long POLL_MILLIS = 1000;
  private static final long KEEPALIVE_NANOS = TimeUnit.SECONDS.toNanos(15);

  private final LogStore store;
  private final Wakeups wakeups;
  private final AtomicInteger active = new AtomicInteger();
  private final Map<String, AtomicInteger> perClient = new java.util.concurrent.ConcurrentHashMap<>();
  private final AtomicBoolean stopping = new AtomicBoolean();

  LogTail(LogStore store, Wakeups wakeups) {
    this.store = store;
    this.wakeups = wakeups;
  }

  /** Ends every running tail within a second (server shutdown). */
  void stop() {
    stopping.set(true);
  }

  void handle(Context ctx) throws InterruptedException {
    String executionId = ctx.pathParam("id");
    String status = store.executionStatus(executionId).orElse(null);
    if (status == null && store.streams(executionId).isEmpty()) {
      throw Refusal.notFound("No execution '" + executionId + "'; list them with GET /api/v1/executions");
    }
    long after = resumeFrom(ctx);
    String client = ctx.ip();
    if (acquire(client) > MAX_TAILS_PER_CLIENT) {
      release(client);
      throw new Refusal(Refusal.Kind.TOO_MANY, "too_many_tails", "This client (" + client + ") already streams "
          + MAX_TAILS_PER_CLIENT + " logs, the most one address may; close one, or use GET"
          + " /api/v1/executions/{id}/logs?waitMillis= (a long poll that holds no thread)", List.of());
    }
    if (active.incrementAndGet() > MAX_TAILS) {
      active.decrementAndGet();
      release(client);
      throw new Refusal(Refusal.Kind.UNAVAILABLE, "too_many_tails", "This server already streams " + MAX_TAILS
          + " logs; retry later or use GET /api/v1/executions/{id}/logs", List.of());
    }
    try {
      HttpServletResponse res = ctx.res();
      res.setStatus(200);
      res.setContentType("text/event-stream");
      res.setCharacterEncoding("UTF-8");
      res.setHeader("Cache-Control", "no-cache");
      res.setHeader("X-Accel-Buffering", "no"); // nginx: do not buffer the stream
      stream(res.getOutputStream(), executionId, after);
    } catch (IOException e) {
      log.debug("Log tail of {} ended: the client went away ({})", executionId, e.toString());
    } finally {
      active.decrementAndGet();
      release(client);
    }
  }

  private int acquire(String client) {
    // compute() runs atomically per key, so a count never detaches from the map
    return perClient.compute(client, (c, n) -> {
      AtomicInteger count = n == null ? new AtomicInteger() : n;
      count.incrementAndGet();
      return count;
    }).get();
  }

  private void release(String client) {
    perClient.computeIfPresent(client, (c, n) -> n.decrementAndGet() <= 0 ? null : n);
  }

  private void stream(OutputStream out, String executionId, long after) throws IOException, InterruptedException {
    Wakeups.Entry wake = wakeups.of(executionId);
    Map<String, Progress> sentProgress = new HashMap<>();
    write(out, "retry: 2000\n\n");
    out.flush();
    long lastWrite = System.nanoTime();
    while (!stopping.get()) {
      long version = wake.version();
      String status = store.executionStatus(executionId).orElse(null);
      List<LogPage.Line> lines = store.read(executionId, after, LogService.MAX_PAGE);
      StringBuilder events = new StringBuilder();
      for (LogPage.Line line : lines) {
        events.append("id: ").append(line.cursor()).append("\nevent: line\ndata: ").append(Json.write(line))
            .append("\n\n");
        after = line.cursor();
      }
      for (LogStore.StreamRow row : store.streams(executionId)) {
        if (row.progress() != null && !row.progress().equals(sentProgress.get(row.stream()))) {
          sentProgress.put(row.stream(), row.progress());
          Map<String, Object> data = new LinkedHashMap<>();
          data.put("stream", row.stream());
          data.put("done", row.progress().done());
          data.put("total", row.progress().total());
          data.put("item", row.progress().item());
          events.append("event: progress\ndata: ").append(Json.write(data)).append("\n\n");
        }
      }
      if (events.length() > 0) {
        write(out, events.toString());
        out.flush();
        lastWrite = System.nanoTime();
      }
      if (lines.size() == LogService.MAX_PAGE) {
        continue; // more is waiting
      }
      if (isFinal(status) && lines.isEmpty()) {
        write(out, "event: end\ndata: " + Json.write(Map.of("executionStatus", status)) + "\n\n");
        out.flush();
        return;
      }
      if (System.nanoTime() - lastWrite > KEEPALIVE_NANOS) {
        write(out, ": keepalive\n\n");
        out.flush();
        lastWrite = System.nanoTime();
      }
      wake.await(version, POLL_MILLIS);
    }
  }

  private static long resumeFrom(Context ctx) {
    String lastEventId = ctx.header("Last-Event-ID");
    String raw = lastEventId != null && !lastEventId.isBlank() ? lastEventId : ctx.queryParam("after");
    if (raw == null || raw.isBlank()) {
      return 0;
    }
    try {
      long value = Long.parseLong(raw.trim());
      if (value < 0) {
        throw new NumberFormatException();
      }
      return value;
    } catch (NumberFormatException e) {
      throw Refusal.invalid("Last-Event-ID (or 'after') must be a cursor (a number of at least 0), not '"
          + raw + "'", List.of());
    }
  }

  private static boolean isFinal(String status) {
    return "SUCCEEDED".equals(status) || "FAILED".equals(status);
  }

  private static void write(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
  }
}
