package io.dbops.liteengine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dbops.api.LogPage;
import io.dbops.proto.v1.ExecuteStepRequest;
import io.dbops.proto.v1.ExecuteStepResponse;
import io.dbops.proto.v1.LiteEngineGrpc;
import io.dbops.proto.v1.LogStream;
import io.dbops.proto.v1.StepKind;
import io.dbops.proto.v1.StepRequest;
import io.dbops.proto.v1.StepStatus;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Done-when test of issue #6: the log service is stopped for 30 s (DBOPS_TEST_LOG_OUTAGE_SECONDS
 * shortens it) while a step prints continuously through a real lite engine; afterwards the stored
 * log holds every line exactly once, in order.
 */
class LogOutageIT {
  private static final String EXECUTION = "ex-outage";
  private static final String STREAM = "executions/" + EXECUTION + "/dev/apply";
  @TempDir Path dataDir;
  @TempDir Path spoolDir;
  private final ExecutorService caller = Executors.newSingleThreadExecutor();
  private RealLogService service;
  private LiteEngine engine;
  private ContinuousStepRunner step;
  private ManagedChannel channel;

  @AfterEach
  void stop() throws Exception {
    caller.shutdownNow();
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (step != null) {
      step.close();
    }
    if (engine != null) {
      engine.close();
    }
    if (service != null) {
      service.close();
    }
  }

  @Test
  void storesEveryLineOnceInOrderAfterTheLogServiceWasDownWhileTheStepPrinted() throws Exception {
    int outageSeconds = Integer.parseInt(System.getenv().getOrDefault("DBOPS_TEST_LOG_OUTAGE_SECONDS", "30"));
    service = new RealLogService(dataDir, null, null).start();
    service.execution(EXECUTION, "RUNNING");
    step = new ContinuousStepRunner(20, 10).start(); // about 2,000 lines a second
    engine = new LiteEngine(TestPod.config(spoolDir, service.url(), step.port()));
    engine.start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", engine.port()).usePlaintext().build();
    ExecuteStepRequest request = ExecuteStepRequest.newBuilder()
        .setStepPort(step.port())
        .setStep(StepRequest.newBuilder().setStepId("outage").setKind(StepKind.STEP_KIND_APPLY).setChangelog("c.xml"))
        .setLogStream(LogStream.newBuilder().setServiceUrl(service.url()).setKey(STREAM)
            .setToken(service.tokenFor(STREAM)))
        .build();
    CompletableFuture<ExecuteStepResponse> running = CompletableFuture.supplyAsync(() ->
        LiteEngineGrpc.newBlockingStub(channel).withInterceptors(TestPod.credential()).withDeadlineAfter(10, TimeUnit.MINUTES).executeStep(request), caller);
    await().atMost(Duration.ofSeconds(30)).until(() -> service.lastSeq(STREAM) >= 1000);

    service.stop();
    long printedAtStop = step.printed.get();
    await().atMost(Duration.ofSeconds(30)).until(() -> spooled() > 0);
    // The outage itself: nothing to wait for but time. The step keeps printing all along.
    TimeUnit.SECONDS.sleep(outageSeconds);
    long printedDuringOutage = step.printed.get() - printedAtStop;
    service.start();
    await().atMost(Duration.ofSeconds(60)).until(() -> service.lastSeq(STREAM) > printedAtStop + printedDuringOutage);
    step.finish();

    ExecuteStepResponse response = running.get(2, TimeUnit.MINUTES);
    assertThat(response.getResult().getStatus()).isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    assertThat(response.getUndeliveredLogLines()).isZero();
    long printed = step.printed.get();
    assertThat(response.getLogLines()).isEqualTo(printed);
    assertThat(printedDuringOutage).as("lines printed while the service was down").isGreaterThan(outageSeconds * 500L);

    List<LogPage.Line> stored = service.lines(EXECUTION, STREAM);
    assertThat(stored).hasSize((int) printed);
    for (int i = 0; i < stored.size(); i++) {
      LogPage.Line line = stored.get(i);
      if (line.seq() != i + 1 || !line.text().equals("line " + (i + 1))) {
        throw new AssertionError("Line " + (i + 1) + " of " + printed + " is seq " + line.seq() + " '" + line.text() + "'");
      }
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> service.closed(STREAM));
    assertThat(spoolFiles()).as("the spool is gone once delivered").isEmpty();
  }

  private long spooled() throws Exception {
    return spoolFiles().size();
  }

  private List<Path> spoolFiles() throws Exception {
    try (Stream<Path> files = Files.walk(spoolDir)) {
      return files.filter(p -> p.getFileName().toString().startsWith("seg-")).toList();
    }
  }
}
