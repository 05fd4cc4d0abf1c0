package io.dbops.logship;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dbops.protocol.ExecuteStepPayload.LogStreamRef;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import okhttp3.OkHttpClient;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogShipperTest {
  private static final String KEY = "executions/x/dev/apply";
  private final MockWebServer server = new MockWebServer();
  private final FakeLogService service = new FakeLogService();
  private final OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(5)).build();
  private final List<LogShipper> shippers = new ArrayList<>();
  private final ExecutorService producer = Executors.newSingleThreadExecutor();
  @TempDir Path spoolDir;

  /** Small batches, short backoff: tests see several requests and quick retries. */
  private final ShipperSettings fast = ShipperSettings.DEFAULT.withBatch(7, 4096, Duration.ofMillis(5))
      .withQueue(100, 1 << 16).withBackoff(Duration.ofMillis(10), Duration.ofMillis(100));

  /**
   * Larger batches where many lines are shipped: MockWebServer flushes response headers and body
   * separately, so with Nagle and delayed ACKs each request takes about 40 ms.
   */
  private final ShipperSettings bulk = fast.withQueue(500, 1 << 17).withBatch(250, 1 << 15, Duration.ofMillis(5));

  @BeforeEach
  void start() throws Exception {
    server.setDispatcher(service);
    server.start();
  }

  @AfterEach
  void stop() throws Exception {
    shippers.forEach(LogShipper::close);
    producer.shutdownNow();
    server.shutdown();
    http.dispatcher().executorService().shutdown();
  }

  @Test
  void deliversEveryLineOnceInOrderWithConsecutiveSequencesAndClosesTheStream() throws Exception {
    LogShipper shipper = started(fast);
    for (int i = 1; i <= 30; i++) {
      assertThat(shipper.append("INFO", "line " + i, i)).isEqualTo(i);
    }

    assertThat(shipper.close(Duration.ofSeconds(10))).isZero();

    assertThat(service.seqs(KEY)).isEqualTo(range(1, 30).stream().map(Long::valueOf).toList());
    assertThat(service.texts(KEY)).isEqualTo(range(1, 30).stream().map(i -> "line " + i).toList());
    assertThat(service.appends.get()).as("batches of at most 7 lines").isGreaterThanOrEqualTo(5);
    assertThat(service.closed).containsEntry(KEY, 30L);
  }

  @Test
  void continuesNumberingAfterTheLinesTheStreamAlreadyHolds() throws Exception {
    LogShipper first = started(fast);
    first.append("INFO", "earlier", 1);
    assertThat(first.close(Duration.ofSeconds(10))).isZero();
    service.closed.clear();

    LogShipper second = started(fast);
    second.append("INFO", "later", 2);

    assertThat(second.close(Duration.ofSeconds(10))).isZero();
    assertThat(service.texts(KEY)).containsExactly("earlier", "later");
    assertThat(service.seqs(KEY)).containsExactly(1L, 2L);
  }

  @Test
  void appliesTheLineFilterBeforeALineIsSentOrSpooled() throws Exception {
    service.failWith = 503;
    LogShipper shipper = started(fast.withSpoolDir(spoolDir), text -> text.replace("hunter2", "*****"));
    shipper.append("INFO", "password is hunter2", 1);
    await().atMost(Duration.ofSeconds(10)).until(() -> spooledText().contains("password is *****"));
    assertThat(spooledText()).doesNotContain("hunter2");

    service.failWith = 0;
    assertThat(shipper.close(Duration.ofSeconds(10))).isZero();
    assertThat(service.texts(KEY)).containsExactly("password is *****");
  }

  @Test
  void withholdsALineWhoseFilterFailsAndCutsOverlongLines() throws Exception {
    LogShipper shipper = started(fast, text -> {
      if (text.contains("boom")) {
        throw new IllegalStateException("secret-ish " + text);
      }
      return text;
    });
    shipper.append("INFO", "boom hunter2", 1);
    shipper.append("INFO", "x".repeat(40_000), 2);

    assertThat(shipper.close(Duration.ofSeconds(10))).isZero();
    List<String> texts = service.texts(KEY);
    assertThat(texts.get(0)).isEqualTo("[dbops: line withheld: the log line filter failed with IllegalStateException]");
    assertThat(texts.get(1)).hasSize(32 * 1024 + "… [7232 more characters cut]".length())
        .endsWith("… [7232 more characters cut]");
  }

  @Test
  void retriesFailedBatchesWithoutLosingOrDuplicatingLines() throws Exception {
    service.failWith = 500;
    LogShipper shipper = started(fast);
    for (int i = 1; i <= 20; i++) {
      shipper.append("INFO", "line " + i, i);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> server.getRequestCount() >= 3);

    service.failWith = 0;

    assertThat(shipper.close(Duration.ofSeconds(10))).isZero();
    assertThat(service.texts(KEY)).isEqualTo(range(1, 20).stream().map(i -> "line " + i).toList());
  }

  @Test
  void spoolsDuringAnOutageWithoutBlockingTheProducerAndDeliversInOrderAfterwards() throws Exception {
    service.failWith = 503;
    LogShipper shipper = started(bulk.withSpoolDir(spoolDir));
    // 5,000 lines through a queue of 500: only possible because the outage goes to disk
    CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> appendAll(shipper, 1, 5000), producer);
    producing.get(30, TimeUnit.SECONDS);
    assertThat(spoolFiles()).isNotEmpty();
    assertThat(service.texts(KEY)).isEmpty();

    service.failWith = 0;

    assertThat(shipper.close(Duration.ofSeconds(30))).isZero();
    assertThat(service.seqs(KEY)).isEqualTo(range(1, 5000).stream().map(Long::valueOf).toList());
    assertThat(service.texts(KEY).get(4999)).isEqualTo("line 5000");
    assertThat(spoolFiles()).as("the spool is deleted once delivered").isEmpty();
  }

  @Test
  void blocksTheProducerWhenTheQueueIsFullAndThereIsNoSpool() throws Exception {
    service.failWith = 503;
    LogShipper shipper = started(bulk);
    CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> appendAll(shipper, 1, 2000), producer);

    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
        .until(() -> !producing.isDone() && shipper.appended() <= 500 + 250 + 1);

    service.failWith = 0;
    producing.get(30, TimeUnit.SECONDS);
    assertThat(shipper.close(Duration.ofSeconds(30))).isZero();
    assertThat(service.seqs(KEY)).hasSize(2000).last().isEqualTo(2000L);
  }

  @Test
  void leavesUndeliveredLinesInTheSpoolForASuccessorWhichDeliversThemOnce() throws Exception {
    service.failWith = 503;
    LogShipper first = started(fast.withSpoolDir(spoolDir));
    appendAll(first, 1, 300);
    first.close(); // as a process would at shutdown, with the service still down
    assertThat(LogSpool.leftovers(spoolDir)).hasSize(1);

    service.failWith = 0;
    List<LogShipper> resumed = LogShipper.resumeSpooled(http, fast.withSpoolDir(spoolDir), ref -> true);
    assertThat(resumed).hasSize(1);
    LogShipper successor = resumed.get(0);
    shippers.add(successor);
    successor.start();
    successor.finish();

    assertThat(successor.awaitDelivered(Duration.ofSeconds(30))).isZero();
    assertThat(service.seqs(KEY)).isEqualTo(range(1, 300).stream().map(Long::valueOf).toList());
    assertThat(service.closed).containsEntry(KEY, 300L);
    assertThat(LogSpool.leftovers(spoolDir)).isEmpty();
  }

  @Test
  void aLeftoverStreamTheProcessMayNotShipToIsNotResumedAndStaysUntouched() throws Exception {
    service.failWith = 503;
    LogShipper first = started(fast.withSpoolDir(spoolDir));
    appendAll(first, 1, 20);
    first.close();
    service.failWith = 0;
    int requestsBefore = server.getRequestCount();
    List<Path> before = spoolFiles();

    List<LogShipper> resumed = LogShipper.resumeSpooled(http, fast.withSpoolDir(spoolDir),
        ref -> ref.serviceUrl().equals("http://the-allowed-service.example"));

    assertThat(resumed).isEmpty();
    assertThat(LogSpool.leftovers(spoolDir)).hasSize(1);
    assertThat(spoolFiles()).isEqualTo(before);
    assertThat(server.getRequestCount()).as("nothing sent to the stream's service").isEqualTo(requestsBefore);
    // the spool is not left locked: a process allowed to ship it still can
    assertThat(LogShipper.resumeSpooled(http, fast.withSpoolDir(spoolDir), ref -> true)).hasSize(1)
        .allSatisfy(shippers::add);
  }

  @Test
  void aNewShipperOfTheSameStreamDeliversTheSpoolFirstThenContinues() throws Exception {
    service.failWith = 503;
    LogShipper first = started(fast.withSpoolDir(spoolDir));
    appendAll(first, 1, 50);
    first.close();
    service.failWith = 0;

    LogShipper second = started(fast.withSpoolDir(spoolDir));
    assertThat(second.resumed()).isTrue();
    assertThat(second.append("INFO", "line 51", 51)).isEqualTo(51);

    assertThat(second.close(Duration.ofSeconds(10))).isZero();
    assertThat(service.texts(KEY)).isEqualTo(range(1, 51).stream().map(i -> "line " + i).toList());
  }

  @Test
  void stopsForGoodWhenTheTokenIsRefusedAndCountsTheDroppedLines() throws Exception {
    service.token = "another";
    LogShipper shipper = started(fast.withSpoolDir(spoolDir));
    shipper.append("INFO", "one", 1);
    await().atMost(Duration.ofSeconds(5)).until(() -> shipper.failure() != null);
    int requests = server.getRequestCount();
    shipper.append("INFO", "two", 2);

    assertThat(shipper.close(Duration.ofSeconds(2))).isEqualTo(2);
    assertThat(shipper.failure()).startsWith("HTTP 403 from /api/v1/logs");
    assertThat(server.getRequestCount()).as("no retries after a refusal").isEqualTo(requests);
    assertThat(LogSpool.leftovers(spoolDir)).isEmpty();
  }

  @Test
  void continuesAfterLinesTheServiceLostWithoutHoles() throws Exception {
    LogShipper shipper = started(fast);
    appendAll(shipper, 1, 10);
    await().atMost(Duration.ofSeconds(5)).until(() -> service.last(KEY) == 10);
    service.truncate(KEY, 5); // the service lost acknowledged lines 6-10; the shipper no longer has them

    appendAll(shipper, 11, 15);

    assertThat(shipper.close(Duration.ofSeconds(10))).isZero();
    assertThat(service.seqs(KEY)).isEqualTo(range(1, 10).stream().map(Long::valueOf).toList());
    assertThat(service.texts(KEY)).containsExactly("line 1", "line 2", "line 3", "line 4", "line 5",
        "line 11", "line 12", "line 13", "line 14", "line 15");
  }

  @Test
  void sendsProgressWithBatchesAndOnItsOwn() throws Exception {
    LogShipper shipper = started(fast);
    shipper.progress(new Progress(1, 3, "a.xml::1::me"));
    await().atMost(Duration.ofSeconds(5)).until(() -> service.progress.containsKey(KEY));
    assertThat(service.progress.get(KEY).get("done").asInt()).isEqualTo(1);
    assertThat(service.texts(KEY)).isEmpty();

    shipper.append("INFO", "Applying changeset a.xml::2::me", 1);
    shipper.progress(new Progress(2, 3, "a.xml::2::me"));

    assertThat(shipper.close(Duration.ofSeconds(10))).isZero();
    assertThat(service.progress.get(KEY).get("done").asInt()).isEqualTo(2);
    assertThat(service.progress.get(KEY).get("item").asText()).isEqualTo("a.xml::2::me");
  }

  @Test
  void refusesLinesAfterFinish() throws Exception {
    LogShipper shipper = started(fast);
    shipper.finish();
    assertThatThrownBy(() -> shipper.append("INFO", "late", 1))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining(KEY);
  }

  private LogShipper started(ShipperSettings settings) {
    return started(settings, java.util.function.UnaryOperator.identity());
  }

  private LogShipper started(ShipperSettings settings, java.util.function.UnaryOperator<String> filter) {
    String url = server.url("/").toString().replaceAll("/$", "");
    LogShipper shipper = new LogShipper(http, new LogStreamRef(url, KEY, "tok"), settings, filter);
    shippers.add(shipper);
    shipper.start();
    return shipper;
  }

  private static void appendAll(LogShipper shipper, int from, int to) {
    try {
      for (int i = from; i <= to; i++) {
        shipper.append("INFO", "line " + i, i);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private List<Path> spoolFiles() throws Exception {
    try (Stream<Path> files = Files.walk(spoolDir)) {
      return files.filter(p -> p.getFileName().toString().startsWith("seg-")).toList();
    }
  }

  private String spooledText() throws Exception {
    StringBuilder all = new StringBuilder();
    for (Path file : spoolFiles()) {
      all.append(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
    }
    return all.toString();
  }

  private static List<Integer> range(int from, int to) {
    return IntStream.rangeClosed(from, to).boxed().toList();
  }
}
