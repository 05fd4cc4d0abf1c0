package io.dbops.step;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbops.proto.v1.DatabaseTarget;
import io.dbops.proto.v1.StepEvent;
import io.dbops.proto.v1.StepKind;
import io.dbops.proto.v1.StepRequest;
import io.dbops.proto.v1.StepRunnerGrpc;
import io.dbops.proto.v1.StepStatus;
import io.dbops.proto.v1.StopStepRequest;
import io.dbops.step.config.StepRuntimeConfig;
import io.dbops.testsupport.TestDatabase;
import io.dbops.testsupport.TestDatabases;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real server on a real localhost port, as the lite engine sees it. */
class StepRuntimeTcpIT {
  @TempDir Path tmp;
  private StepRuntime runtime;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    runtime = new StepRuntime(StepRuntimeConfig.defaults(0),
        StepHarness.withPodToken(Map.of(StepHarness.PASSWORD_ENV, TargetDb.H2_PASSWORD)));
    runtime.start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", runtime.port()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    runtime.close();
  }

  @Test
  void servesHealthAsServing() {
    HealthCheckResponse response = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
        .check(HealthCheckRequest.newBuilder().setService("").build());

    assertThat(runtime.port()).isPositive();
    assertThat(response.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
  }

  @Test
  void appliesOverTcpStreamingLinesBeforeTheResult() {
    TargetDb db = TargetDb.h2(tmp);
    StepRequest.Builder b = StepHarness.request(StepKind.STEP_KIND_APPLY, "yaml/changelog.yaml", db.jdbcUrl(), "sa");
    StepRequest request = b.setDatabase(DatabaseTarget.newBuilder(b.getDatabase()).setPasswordEnv(StepHarness.PASSWORD_ENV))
        .putParameters("personName", "Ada").build();

    StepHarness.Run run = StepHarness.collect(
        StepRunnerGrpc.newBlockingStub(channel).withInterceptors(StepHarness.CREDENTIAL.clientInterceptor()).withDeadlineAfter(60, TimeUnit.SECONDS).execute(request));

    assertThat(run.result().getStatus()).as(run.result().getError()).isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    assertThat(run.logs()).isNotEmpty();
    assertThat(run.events().get(0).hasLog()).isTrue();
  }

  @Test
  void stopAbortsALongRunningStepAndLinesArriveWhileItRuns() throws Exception {
    try (TestDatabase pg = TestDatabases.create(TestDatabases.Kind.POSTGRES)) {
      StepRequest request = StepHarness.request(StepKind.STEP_KIND_APPLY, "slow/changelog.sql", pg.jdbcUrl(),
          pg.username()).setStepId("slow-step").build();
      List<StepEvent> events = new CopyOnWriteArrayList<>();
      CompletableFuture<Void> done = CompletableFuture.runAsync(() -> {
        Iterator<StepEvent> it = StepRunnerGrpc.newBlockingStub(channel).withInterceptors(StepHarness.CREDENTIAL.clientInterceptor()).withDeadlineAfter(60, TimeUnit.SECONDS)
            .execute(request);
        it.forEachRemaining(events::add);
      });
      // The first changeset's lines arrive while the second (pg_sleep(60)) is still running.
      Awaitility.await().atMost(20, TimeUnit.SECONDS).until(() -> events.stream()
          .anyMatch(e -> e.hasLog() && e.getLog().getText().startsWith("Applying changeset slow/changelog.sql::slow-2")));
      assertThat(events).noneMatch(StepEvent::hasResult);

      boolean stopped = StepRunnerGrpc.newBlockingStub(channel).withInterceptors(StepHarness.CREDENTIAL.clientInterceptor()).withDeadlineAfter(5, TimeUnit.SECONDS)
          .stop(StopStepRequest.newBuilder().setStepId("slow-step").build()).getStopped();

      done.get(20, TimeUnit.SECONDS);
      assertThat(stopped).isTrue();
      StepEvent last = events.get(events.size() - 1);
      assertThat(last.getResult().getStatus()).isEqualTo(StepStatus.STEP_STATUS_ABORTED);
      assertThat(pg.tableExists("before_sleep")).isTrue();
      boolean again = StepRunnerGrpc.newBlockingStub(channel).withInterceptors(StepHarness.CREDENTIAL.clientInterceptor()).withDeadlineAfter(5, TimeUnit.SECONDS)
          .stop(StopStepRequest.newBuilder().setStepId("slow-step").build()).getStopped();
      assertThat(again).isFalse();
    }
  }

  @Test
  void callerDeadlineStopsTheStepSoTheNextOneRuns() throws Exception {
    try (TestDatabase pg = TestDatabases.create(TestDatabases.Kind.POSTGRES)) {
      StepRequest slow = StepHarness.request(StepKind.STEP_KIND_APPLY, "slow/changelog.sql", pg.jdbcUrl(),
          pg.username()).build();
      assertThatThrownBy(() -> new ArrayList<StepEvent>() {{
            StepRunnerGrpc.newBlockingStub(channel).withInterceptors(StepHarness.CREDENTIAL.clientInterceptor()).withDeadlineAfter(3, TimeUnit.SECONDS).execute(slow)
                .forEachRemaining(this::add);
          }})
          .isInstanceOfSatisfying(StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));

      StepRequest status = StepHarness.request(StepKind.STEP_KIND_STATUS, "slow/changelog.sql", pg.jdbcUrl(),
          pg.username()).build();
      StepHarness.Run run = StepHarness.collect(
          StepRunnerGrpc.newBlockingStub(channel).withInterceptors(StepHarness.CREDENTIAL.clientInterceptor()).withDeadlineAfter(20, TimeUnit.SECONDS).execute(status));
      assertThat(run.result().getOutputsMap()).containsEntry("pending", "1");
    }
  }
}
