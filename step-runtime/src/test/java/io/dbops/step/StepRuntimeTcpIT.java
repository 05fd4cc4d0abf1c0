package io.dbops.step;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbops.proto.v1.DatabaseTarget;
import io.dbops.proto.v1.StepEvent;
import io.dbops.proto.v1.StepKind;
import io.dbops.proto.v1.StepRequest;
import io.dbops.proto.v1.StepStatus;
import io.dbops.proto.v1.StopStepRequest;
import io.dbops.testsupport.TestDatabase;
import io.dbops.testsupport.TestDatabases;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
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
  private TcpStepRuntime server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    server = new TcpStepRuntime();
    channel = server.channel();
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  @Test
  void servesHealthAsServing() {
    HealthCheckResponse response = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
        .check(HealthCheckRequest.newBuilder().setService("").build());

    assertThat(server.port()).isPositive();
    assertThat(response.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
  }

  @Test
  void appliesOverTcpStreamingLinesBeforeTheResult() {
    TargetDb db = TargetDb.h2(tmp);
    StepRequest.Builder b = StepHarness.request(StepKind.STEP_KIND_APPLY, "yaml/changelog.yaml", db.jdbcUrl(), "sa");
    StepRequest request = b.setDatabase(DatabaseTarget.newBuilder(b.getDatabase()).setPasswordEnv(StepHarness.PASSWORD_ENV))
        .putParameters("personName", "Ada").build();

    StepHarness.Run run = StepHarness.collect(
        server.stub(60).execute(request));

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
        Iterator<StepEvent> it = server.stub(60)
            .execute(request);
        it.forEachRemaining(events::add);
      });
      // The first changeset's lines arrive while the second (pg_sleep(60)) is still running.
      Awaitility.await().atMost(20, TimeUnit.SECONDS).until(() -> events.stream()
          .anyMatch(e -> e.hasLog() && e.getLog().getText().startsWith("Applying changeset slow/changelog.sql::slow-2")));
      assertThat(events).noneMatch(StepEvent::hasResult);

      boolean stopped = server.stub(5)
          .stop(StopStepRequest.newBuilder().setStepId("slow-step").build()).getStopped();

      done.get(20, TimeUnit.SECONDS);
      assertThat(stopped).isTrue();
      StepEvent last = events.get(events.size() - 1);
      assertThat(last.getResult().getStatus()).isEqualTo(StepStatus.STEP_STATUS_ABORTED);
      assertThat(pg.tableExists("before_sleep")).isTrue();
      boolean again = server.stub(5)
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
            server.stub(3).execute(slow)
                .forEachRemaining(this::add);
          }})
          .isInstanceOfSatisfying(StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));

      StepRequest status = StepHarness.request(StepKind.STEP_KIND_STATUS, "slow/changelog.sql", pg.jdbcUrl(),
          pg.username()).build();
      StepHarness.Run run = StepHarness.collect(
          server.stub(20).execute(status));
      assertThat(run.result().getOutputsMap()).containsEntry("pending", "1");
    }
  }
}
