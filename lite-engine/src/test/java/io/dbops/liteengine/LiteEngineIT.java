package io.dbops.liteengine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.proto.v1.ExecuteStepRequest;
import io.dbops.proto.v1.ExecuteStepResponse;
import io.dbops.proto.v1.LiteEngineGrpc;
import io.dbops.proto.v1.LogStream;
import io.dbops.proto.v1.StepKind;
import io.dbops.proto.v1.StepRequest;
import io.dbops.proto.v1.StepStatus;
import io.dbops.proto.v1.StopStepRequest;
import io.dbops.support.Json;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real lite engine on a real port, a scripted step container on another, and a log service. */
class LiteEngineIT {
  @TempDir Path spoolDir;
  private final MockWebServer logService = new MockWebServer();
  private final List<RecordedLine> shipped = new CopyOnWriteArrayList<>();
  private final List<String> authHeaders = new CopyOnWriteArrayList<>();
  private final List<JsonNode> progress = new CopyOnWriteArrayList<>();
  private LiteEngine engine;
  private ManagedChannel channel;
  private ScriptedStepRunner stepRunner;
  private int stepPort;
  private int closedPort;

  record RecordedLine(String stream, long seq, String level, String text) {}

  @BeforeEach
  void start() throws Exception {
    logService.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        authHeaders.add(request.getHeader("Authorization"));
        try {
          JsonNode body = Json.mapper().readTree(request.getBody().readUtf8());
          if (body.hasNonNull("progress")) {
            progress.add(body.get("progress"));
          }
          for (JsonNode line : body.get("lines")) {
            shipped.add(new RecordedLine(body.get("stream").asText(), line.get("seq").asLong(),
                line.get("level").asText(), line.get("text").asText()));
          }
          return new MockResponse().setBody("{\"acceptedThrough\":0}");
        } catch (Exception e) {
          return new MockResponse().setResponseCode(400);
        }
      }
    });
    logService.start();
    stepPort = TestPod.freePort();
    closedPort = TestPod.freePort();
    engine = new LiteEngine(TestPod.config(spoolDir, logService.url("/").toString(), stepPort, closedPort));
    engine.start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", engine.port()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    engine.close();
    if (stepRunner != null) {
      stepRunner.close();
    }
    logService.shutdown();
  }

  @Test
  void answersHealthChecksWithServing() {
    var response = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
        .check(HealthCheckRequest.getDefaultInstance());
    assertThat(response.getStatus()).isEqualTo(ServingStatus.SERVING);
  }

  @Test
  void shipsEveryLineInOrderAndReturnsTheStepResult() throws Exception {
    List<String> lines = new ArrayList<>();
    IntStream.rangeClosed(1, 1200).forEach(i -> lines.add("line " + i));
    lines.add("connecting to jdbc:postgresql://db/orders?user=app&password=hunter22");
    stepRunner = new ScriptedStepRunner(lines, ScriptedStepRunner.succeeded(), false).start(stepPort);

    ExecuteStepResponse response = liteEngine(60).executeStep(request(stepRunner.port()));

    assertThat(response.getResult().getStatus()).isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    assertThat(response.getResult().getOutputsMap()).containsEntry("changesetsApplied", "2");
    assertThat(response.getLogLines()).isEqualTo(1201);
    assertThat(response.getUndeliveredLogLines()).isZero();
    assertThat(shipped).hasSize(1201);
    for (int i = 0; i < 1200; i++) {
      assertThat(shipped.get(i).seq()).isEqualTo(i + 1);
      assertThat(shipped.get(i).text()).isEqualTo("line " + (i + 1));
      assertThat(shipped.get(i).stream()).isEqualTo("executions/e1/stages/dev/steps/apply");
    }
    assertThat(shipped.get(1200).text()).doesNotContain("hunter22").contains("password=*****");
    assertThat(authHeaders).allMatch("Bearer log-token"::equals);
    assertThat(stepRunner.lastRequest.get().getChangelog()).isEqualTo("db/changelog.xml");
  }

  @Test
  void reportsChangesetProgressReadFromTheStepsLines() throws Exception {
    stepRunner = new ScriptedStepRunner(List.of("2 changeset(s) to apply.", "Applying changeset a.xml::1::me",
        "Applied changeset a.xml::1::me in 3 ms", "Applying changeset a.xml::2::me"), ScriptedStepRunner.succeeded(),
        false).start(stepPort);

    ExecuteStepResponse response = liteEngine(60).executeStep(request(stepRunner.port()));

    assertThat(response.getUndeliveredLogLines()).isZero();
    assertThat(progress).isNotEmpty();
    JsonNode last = progress.get(progress.size() - 1);
    assertThat(last.get("done").asInt()).isEqualTo(2);
    assertThat(last.get("total").asInt()).isEqualTo(2);
    assertThat(last.get("item").asText()).isEqualTo("a.xml::2::me");
  }

  @Test
  void passesTheCallersDeadlineToTheStepContainer() throws Exception {
    stepRunner = new ScriptedStepRunner(List.of("hello"), ScriptedStepRunner.succeeded(), false).start(stepPort);

    liteEngine(30).executeStep(request(stepRunner.port()));

    assertThat(stepRunner.lastDeadline.get()).isNotNull();
    assertThat(stepRunner.lastDeadline.get().timeRemaining(TimeUnit.SECONDS)).isBetween(1L, 30L);
  }

  @Test
  void reportsAnUnreachableStepContainerAsAFailedStepAndLogsWhy() throws Exception {
    ExecuteStepResponse response = liteEngine(30).executeStep(request(closedPort));

    assertThat(response.getResult().getStatus()).isEqualTo(StepStatus.STEP_STATUS_FAILED);
    assertThat(response.getResult().getError())
        .startsWith("Step container at 127.0.0.1:" + closedPort + " is unreachable: ");
    assertThat(response.getLogLines()).isZero();
    assertThat(shipped).singleElement().satisfies(line -> {
      assertThat(line.level()).isEqualTo("ERROR");
      assertThat(line.seq()).isEqualTo(1);
      assertThat(line.text()).isEqualTo(response.getResult().getError());
    });
  }

  @Test
  void forwardsStopToTheContainerRunningTheStep() throws Exception {
    stepRunner = new ScriptedStepRunner(List.of("working"), null, true).start(stepPort);
    ExecutorService caller = Executors.newSingleThreadExecutor();
    try {
      CompletableFuture<ExecuteStepResponse> running =
          CompletableFuture.supplyAsync(() -> liteEngine(30).executeStep(request(stepRunner.port())), caller);
      assertThat(stepRunner.executing.await(10, TimeUnit.SECONDS)).isTrue();
      await().atMost(Duration.ofSeconds(10)).until(() ->
          liteEngine(5).stopStep(StopStepRequest.newBuilder().setStepId("e1/dev/apply").build()).getStopped());

      assertThat(running.get(10, TimeUnit.SECONDS).getResult().getStatus())
          .isEqualTo(StepStatus.STEP_STATUS_ABORTED);
      assertThat(liteEngine(5).stopStep(StopStepRequest.newBuilder().setStepId("e1/dev/apply").build())
          .getStopped()).isFalse();
    } finally {
      caller.shutdownNow();
    }
  }

  @Test
  void rejectsARequestWithoutALogStreamToken() {
    ExecuteStepRequest request = request(stepPort).toBuilder()
        .setLogStream(LogStream.newBuilder().setServiceUrl(logService.url("/").toString()).setKey("k"))
        .build();

    assertThatThrownBy(() -> liteEngine(5).executeStep(request))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).contains("log_stream.token is required");
        });
  }

  @Test
  void closeIsIdempotent() {
    engine.close();
    engine.close();
  }

  private LiteEngineGrpc.LiteEngineBlockingStub liteEngine(int deadlineSeconds) {
    return LiteEngineGrpc.newBlockingStub(channel).withInterceptors(TestPod.credential())
        .withDeadlineAfter(deadlineSeconds, TimeUnit.SECONDS);
  }

  private ExecuteStepRequest request(int stepPort) {
    String serviceUrl = logService.url("/").toString().replaceAll("/$", "");
    return ExecuteStepRequest.newBuilder()
        .setStepPort(stepPort)
        .setStep(StepRequest.newBuilder().setStepId("e1/dev/apply").setKind(StepKind.STEP_KIND_APPLY)
            .setChangelog("db/changelog.xml"))
        .setLogStream(LogStream.newBuilder().setServiceUrl(serviceUrl)
            .setKey("executions/e1/stages/dev/steps/apply").setToken("log-token"))
        .build();
  }
}
