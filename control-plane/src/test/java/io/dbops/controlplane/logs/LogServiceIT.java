package io.dbops.controlplane.logs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.api.LogPage;
import io.dbops.logship.AppendRequest;
import io.dbops.logship.LogLine;
import io.dbops.logship.Progress;
import io.dbops.support.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The log service over real HTTP on real H2 and PostgreSQL. */
class LogServiceIT {
  private static final MediaType JSON = MediaType.get("application/json");
  @TempDir Path dir;
  private final OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).build();
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private LogServiceFixture fixture;

  @AfterEach
  void stop() throws Exception {
    threads.shutdownNow();
    if (fixture != null) {
      fixture.close();
    }
    http.dispatcher().executorService().shutdown();
  }

  private LogServiceFixture start(boolean postgres) {
    fixture = new LogServiceFixture(dir, postgres, LogSettings.DEFAULT).start();
    return fixture;
  }

  @ParameterizedTest(name = "postgres={0}")
  @ValueSource(booleans = {false, true})
  void appendsIdempotentlyRefusesGapsAndTellsThePosition(boolean postgres) throws Exception {
    start(postgres);
    String stream = "executions/e1/dev/apply";
    for (int i = 0; i < 2; i++) { // a retried batch
      Reply reply = post("/api/v1/logs", new AppendRequest(stream, lines(1, 3)), stream);
      assertThat(reply.code()).as(reply.body()).isEqualTo(200);
      assertThat(reply.json().get("acceptedThrough").asLong()).isEqualTo(3);
    }
    Reply overlap = post("/api/v1/logs", new AppendRequest(stream, lines(2, 5)), stream);
    assertThat(overlap.json().get("acceptedThrough").asLong()).isEqualTo(5);

    Reply gap = post("/api/v1/logs", new AppendRequest(stream, lines(9, 9)), stream);
    assertThat(gap.code()).isEqualTo(409);
    assertThat(gap.json().get("code").asText()).isEqualTo("sequence_gap");
    assertThat(gap.json().get("details").get(0).asText()).isEqualTo("expected seq 6");
    assertThat(gap.json().get("message").asText()).contains("resend from seq 6");

    Reply position = get("/api/v1/logs/position?stream=" + stream, fixture.logs.tokenFor(stream));
    assertThat(position.json().get("lastSeq").asLong()).isEqualTo(5);
    assertThat(position.json().get("nextSeq").asLong()).isEqualTo(6);
    assertThat(position.json().get("closed").asBoolean()).isFalse();

    List<LogPage.Line> page = fixture.logs.read("e1", 0, 0, id -> "RUNNING").lines();
    assertThat(page).extracting(LogPage.Line::seq).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(page).extracting(LogPage.Line::text).containsExactly("line 1", "line 2", "line 3", "line 4", "line 5");
    assertThat(page).extracting(LogPage.Line::cursor).containsExactly(1L, 2L, 3L, 4L, 5L);
  }

  @Test
  void refusesForeignAndMissingTokensAndMalformedBatches() throws Exception {
    start(false);
    String stream = "executions/e1/dev/apply";
    assertThat(post("/api/v1/logs", new AppendRequest(stream, lines(1, 1)), "executions/e1/dev/other").code())
        .isEqualTo(401);
    assertThat(send(new Request.Builder().url(fixture.url() + "/api/v1/logs")
        .post(RequestBody.create(Json.write(new AppendRequest(stream, lines(1, 1))), JSON)).build()).code())
        .isEqualTo(401);
    List<LogLine> holes = List.of(new LogLine(1, 1, "INFO", "a"), new LogLine(3, 1, "INFO", "c"));
    Reply notConsecutive = post("/api/v1/logs", new AppendRequest(stream, holes), stream);
    assertThat(notConsecutive.code()).isEqualTo(400);
    assertThat(notConsecutive.json().get("message").asText()).contains("consecutive seq numbers");
  }

  @ParameterizedTest(name = "postgres={0}")
  @ValueSource(booleans = {false, true})
  void closingAStreamRefusesMoreLinesAndItsSnapshotKeepsEveryLineAndCursor(boolean postgres) throws Exception {
    start(postgres);
    fixture.execution("e2", "RUNNING", null);
    String stream = "executions/e2/dev/apply";
    for (long first = 1; first <= 2500; first += 100) {
      fixture.logs.append(stream, lines(first, first + 99), null);
      if (first % 1000 == 1) {
        fixture.logs.appendControl("e2", "INFO", "control line after " + (first + 99));
      }
    }
    List<LogPage.Line> before = readAll("e2");
    assertThat(before).hasSize(2503);

    Reply early = post("/api/v1/logs/close", Map.of("stream", stream, "lastSeq", 2600), stream);
    assertThat(early.code()).isEqualTo(409);
    assertThat(early.json().get("details").get(0).asText()).isEqualTo("expected seq 2501");
    Reply closed = post("/api/v1/logs/close", Map.of("stream", stream, "lastSeq", 2500), stream);
    assertThat(closed.code()).as(closed.body()).isEqualTo(200);
    assertThat(post("/api/v1/logs/close", Map.of("stream", stream, "lastSeq", 2500), stream).code())
        .as("closing again").isEqualTo(200);
    Reply late = post("/api/v1/logs", new AppendRequest(stream, lines(2501, 2501)), stream);
    assertThat(late.code()).isEqualTo(409);
    assertThat(late.json().get("code").asText()).isEqualTo("stream_closed");
    assertThat(post("/api/v1/logs", new AppendRequest(stream, lines(2500, 2500)), stream).code())
        .as("a retried batch of lines already stored is still fine").isEqualTo(200);

    fixture.logs.sweepNow();

    assertThat(fixture.count("SELECT COUNT(*) FROM log_streams WHERE stream = ? AND compacted = ?", stream, true))
        .isEqualTo(1);
    assertThat(fixture.count("SELECT COUNT(*) FROM log_chunks WHERE stream = ? AND packed = ?", stream, false))
        .isZero();
    // four runs of the step stream, split by the three control lines between them
    assertThat(fixture.count("SELECT COUNT(*) FROM log_chunks WHERE stream = ?", stream)).isEqualTo(4);
    assertThat(readAll("e2")).isEqualTo(before);
    assertThat(fixture.logs.read("e2", 1500, 0, id -> "RUNNING").lines().get(0).cursor()).isEqualTo(1501);
  }

  @ParameterizedTest(name = "postgres={0}")
  @ValueSource(booleans = {false, true})
  void concurrentAppendsThroughTwoReplicasNeverMakeAReaderSkipALine(boolean postgres) throws Exception {
    start(postgres);
    // a second replica on the same database: its appends are ordered by row locks, not by our monitor
    LogService replica = new LogService(fixture.database.dataSource(), fixture.clock, LogSettings.DEFAULT);
    replica.start();
    List<CompletableFuture<Void>> writers = new ArrayList<>();
    for (String step : List.of("a", "b", "c")) {
      String stream = "executions/e3/dev/" + step;
      LogService writer = step.equals("b") ? replica : fixture.logs;
      writers.add(CompletableFuture.runAsync(() -> {
        for (long first = 1; first <= 300; first += 10) {
          writer.append(stream, lines(first, first + 9), null);
        }
      }, threads));
    }
    CompletableFuture<Void> all = CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new));
    List<LogPage.Line> seen = new ArrayList<>();
    long after = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      boolean writersDone = all.isDone();
      LogPage page = fixture.logs.read("e3", after, 200, id -> "RUNNING");
      seen.addAll(page.lines());
      after = page.next();
      if (writersDone && page.lines().isEmpty()) {
        break;
      }
    }
    all.get(10, TimeUnit.SECONDS);
    replica.close();
    assertThat(seen).hasSize(900);
    assertThat(seen).extracting(LogPage.Line::cursor)
        .containsExactlyElementsOf(LongStream.rangeClosed(1, 900).boxed().toList());
    for (String step : List.of("a", "b", "c")) {
      assertThat(seen.stream().filter(l -> l.stream().endsWith("/" + step)).map(LogPage.Line::seq).toList())
          .containsExactlyElementsOf(LongStream.rangeClosed(1, 300).boxed().toList());
    }
  }

  @Test
  void tailsOverServerSentEventsResumesFromTheLastEventIdAndEndsWhenTheExecutionDoes() throws Exception {
    start(false);
    fixture.execution("e4", "RUNNING", null);
    String stream = "executions/e4/dev/apply";
    fixture.logs.append(stream, lines(1, 2), null);

    BlockingQueue<String[]> events = new LinkedBlockingQueue<>();
    Tail first = sse("e4", null, events);
    assertThat(first.header("Content-Type")).startsWith("text/event-stream");
    assertThat(next(events, "line")[2]).contains("\"text\":\"line 1\"");
    String[] second = next(events, "line");
    assertThat(second[1]).isEqualTo("2");
    first.close();

    fixture.logs.append(stream, lines(3, 3), new Progress(2, 5, "orders.xml::2::me"));
    BlockingQueue<String[]> resumed = new LinkedBlockingQueue<>();
    Tail again = sse("e4", "2", resumed);
    String[] third = next(resumed, "line");
    assertThat(third[1]).isEqualTo("3");
    assertThat(third[2]).contains("\"text\":\"line 3\"").contains("\"seq\":3");
    JsonNode progress = Json.mapper().readTree(next(resumed, "progress")[2]);
    assertThat(progress.get("done").asInt()).isEqualTo(2);
    assertThat(progress.get("total").asInt()).isEqualTo(5);
    assertThat(progress.get("stream").asText()).isEqualTo(stream);

    fixture.logs.append(stream, lines(4, 4), null); // a live line, woken by the append
    assertThat(next(resumed, "line")[2]).contains("\"text\":\"line 4\"");
    fixture.finish("e4", "SUCCEEDED");
    assertThat(next(resumed, "end")[2]).isEqualTo("{\"executionStatus\":\"SUCCEEDED\"}");
    again.close();

    assertThat(send(new Request.Builder().url(fixture.url() + "/api/v1/executions/nope/logs/stream").build())
        .code()).isEqualTo(404);
  }

  @Test
  void fillsLogTokensIntoTheStreamReferencesOfTaskPayloads() throws Exception {
    start(false);
    JsonNode step = Json.mapper().readTree("{\"logStream\":{\"key\":\"executions/e7/dev/apply\"}}");
    JsonNode init = Json.mapper().readTree("{\"logStream\":{\"key\":\"executions/e7/dev/apply\"},"
        + "\"delegateLogStream\":{\"key\":\"executions/e7/dev/delegate\"}}");

    assertThat(fixture.logs.withLogToken("execute_step", step).at("/logStream/token").asText())
        .isEqualTo(fixture.logs.tokenFor("executions/e7/dev/apply"));
    JsonNode initWithToken = fixture.logs.withLogToken("init_stage", init);
    assertThat(initWithToken.at("/delegateLogStream/token").asText())
        .isEqualTo(fixture.logs.tokenFor("executions/e7/dev/delegate"));
    assertThat(initWithToken.at("/logStream/token").isMissingNode()).as("only execute_step gets a step token").isTrue();
    assertThat(init.at("/delegateLogStream/token").isMissingNode()).as("the stored payload is not changed").isTrue();
  }

  @Test
  void listsTheStreamsOfAnExecutionWithTheirProgress() throws Exception {
    start(false);
    fixture.execution("e5", "RUNNING", null);
    fixture.logs.append("executions/e5/dev/apply", lines(1, 4), new Progress(3, 10, "a.xml::3::me"));
    JsonNode streams = get("/api/v1/executions/e5/logs/streams", null).json();
    assertThat(streams).hasSize(1);
    assertThat(streams.get(0).get("lastSeq").asLong()).isEqualTo(4);
    assertThat(streams.get(0).get("progress").get("done").asInt()).isEqualTo(3);
    assertThat(streams.get(0).get("progress").get("total").asInt()).isEqualTo(10);
  }

  @Test
  void deletesTheLogsOfExecutionsFinishedBeforeTheRetentionAndClosesIdleStreams() throws Exception {
    fixture = new LogServiceFixture(dir, false, LogSettings.DEFAULT.withRetentionDays(30)
        .withIdleClose(Duration.ofMinutes(10))).start();
    long day = TimeUnit.DAYS.toMillis(1);
    fixture.execution("old", "SUCCEEDED", fixture.now.get() - 40 * day);
    fixture.execution("recent", "SUCCEEDED", fixture.now.get() - day);
    fixture.execution("running", "RUNNING", null);
    for (String id : List.of("old", "recent", "running")) {
      fixture.logs.append("executions/" + id + "/dev/apply", lines(1, 3), null);
    }
    fixture.now.addAndGet(TimeUnit.MINUTES.toMillis(11));

    fixture.logs.sweepNow();

    assertThat(fixture.count("SELECT COUNT(*) FROM log_chunks WHERE execution_id = ?", "old")).isZero();
    assertThat(fixture.count("SELECT COUNT(*) FROM log_streams WHERE execution_id = ?", "old")).isZero();
    assertThat(fixture.logs.read("recent", 0, 0, id -> "SUCCEEDED").lines()).hasSize(3);
    assertThat(fixture.count("SELECT COUNT(*) FROM log_streams WHERE execution_id = ? AND closed = ?", "recent", true))
        .as("idle stream of a finished execution").isEqualTo(1);
    assertThat(fixture.count("SELECT COUNT(*) FROM log_streams WHERE execution_id = ? AND closed = ?", "running", false))
        .as("a running execution's stream stays open").isEqualTo(1);
  }

  @Test
  void movesLinesOfTheIssue2TableIntoChunksInTheirOrder() throws Exception {
    fixture = new LogServiceFixture(dir, false, LogSettings.DEFAULT);
    String insert = "INSERT INTO log_lines (execution_id, stream, seq, ts, line_level, line_text) VALUES (?, ?, ?, ?, ?, ?)";
    fixture.update(insert, "e6", "executions/e6/control", 1L, 1L, "INFO", "started");
    fixture.update(insert, "e6", "executions/e6/dev/apply", 1L, 2L, "INFO", "applying");
    fixture.update(insert, "e6", "executions/e6/dev/apply", 2L, 3L, "ERROR", "failed");
    fixture.update(insert, "e6", "executions/e6/control", 2L, 4L, "ERROR", "finished");

    fixture.start();

    assertThat(fixture.logs.read("e6", 0, 0, id -> "FAILED").lines())
        .extracting(l -> l.stream().substring(14) + ":" + l.seq() + ":" + l.level() + ":" + l.text())
        .containsExactly("control:1:INFO:started", "dev/apply:1:INFO:applying", "dev/apply:2:ERROR:failed",
            "control:2:ERROR:finished");
    assertThat(fixture.count("SELECT COUNT(*) FROM log_lines")).isZero();
  }

  // ---------------------------------------------------------------- helpers

  private List<LogPage.Line> readAll(String executionId) throws InterruptedException {
    List<LogPage.Line> all = new ArrayList<>();
    long after = 0;
    while (true) {
      LogPage page = fixture.logs.read(executionId, after, 0, id -> "RUNNING");
      if (page.lines().isEmpty()) {
        return all;
      }
      all.addAll(page.lines());
      after = page.next();
    }
  }

  private static List<LogLine> lines(long from, long to) {
    return LongStream.rangeClosed(from, to).mapToObj(i -> new LogLine(i, 1000 + i, "INFO", "line " + i)).toList();
  }

  record Reply(int code, String body) {
    JsonNode json() throws IOException {
      return Json.mapper().readTree(body);
    }
  }

  private Reply post(String path, Object body, String streamForToken) throws IOException {
    return send(new Request.Builder().url(fixture.url() + path)
        .header("Authorization", "Bearer " + fixture.logs.tokenFor(streamForToken))
        .post(RequestBody.create(Json.write(body), JSON)).build());
  }

  private Reply get(String path, String token) throws IOException {
    Request.Builder b = new Request.Builder().url(fixture.url() + path);
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return send(b.build());
  }

  private Reply send(Request request) throws IOException {
    try (Response response = http.newCall(request).execute()) {
      return new Reply(response.code(), response.body().string());
    }
  }

  /** An open tail; {@link #close} cancels it (the reader thread sees the end). */
  record Tail(okhttp3.Call call, Response response) {
    String header(String name) {
      return response.header(name);
    }

    void close() {
      call.cancel();
    }
  }

  /** Opens the SSE tail; events arrive as {event, id, data}. */
  private Tail sse(String executionId, String lastEventId, BlockingQueue<String[]> events) throws IOException {
    Request.Builder b = new Request.Builder().url(fixture.url() + "/api/v1/executions/" + executionId + "/logs/stream");
    if (lastEventId != null) {
      b.header("Last-Event-ID", lastEventId);
    }
    okhttp3.Call call = http.newCall(b.build());
    Response response = call.execute();
    BufferedSource source = response.body().source();
    threads.execute(() -> {
      String event = "message";
      String id = null;
      StringBuilder data = new StringBuilder();
      try {
        String line;
        while ((line = source.readUtf8Line()) != null) {
          if (line.isEmpty()) {
            if (data.length() > 0) {
              events.add(new String[] {event, id, data.toString()});
            }
            event = "message";
            data.setLength(0);
          } else if (line.startsWith("event: ")) {
            event = line.substring(7);
          } else if (line.startsWith("id: ")) {
            id = line.substring(4);
          } else if (line.startsWith("data: ")) {
            data.append(line.substring(6));
          }
        }
      } catch (IOException e) {
        // closed by the test
      } finally {
        response.close();
      }
    });
    return new Tail(call, response);
  }

  private static String[] next(BlockingQueue<String[]> events, String type) throws InterruptedException {
    while (true) {
      String[] event = events.poll(10, TimeUnit.SECONDS);
      assertThat(event).as("an SSE event '" + type + "' within 10 s").isNotNull();
      if (event[0].equals(type)) {
        return event;
      }
    }
  }
}
