package io.dbops.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.api.ApiError;
import io.dbops.api.ExecutionView;
import io.dbops.api.TokenCreated;
import io.dbops.pipeline.Database;
import io.dbops.pipeline.Pipeline;
import io.dbops.pipeline.Stage;
import io.dbops.protocol.Frame;
import io.dbops.protocol.TaskStatus;
import io.dbops.protocol.TaskTypes;
import io.dbops.support.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Leases, recovery, abort, revocation, routing, drain and diagnostics over real sockets. */
class LeasesAndRoutingIT {
  @TempDir Path dataDir;
  ControlPlane controlPlane;
  TestClient client;
  TokenCreated token;

  @BeforeEach
  void start() {
    controlPlane = new ControlPlane(Fixtures.builder(dataDir).leaseSeconds(2)
        .dispatchDeadlineSeconds(2).stageWaitForDelegateSeconds(2).periods(200, 200).build());
    controlPlane.start();
    client = TestClient.of(controlPlane);
    token = client.post("/api/v1/tokens", "{\"name\":\"dev\"}").as(TokenCreated.class);
  }

  @AfterEach
  void stop() {
    controlPlane.close();
  }

  String submitNoop(long sleepMillis, List<String> selectors) {
    TestClient.Reply reply = client.post("/api/v1/tasks", Map.of("type", "noop",
        "payload", Map.of("sleepMillis", sleepMillis), "selectors", selectors, "timeoutSeconds", 60));
    assertThat(reply.code()).as(reply.body()).isEqualTo(201);
    return reply.json().get("id").asText();
  }

  JsonNode task(String id) {
    return client.get("/api/v1/tasks/" + id).json();
  }

  static Frame.TaskAssigned claim(TestDelegate d, String taskId) throws InterruptedException {
    d.send(new Frame.Claim(taskId));
    return d.expect(Frame.TaskAssigned.class);
  }

  /** The id of the next offer of {@code type} (offers repeat, so older ones are skipped). */
  static String offerOf(TestDelegate d, String type) throws InterruptedException {
    while (true) {
      Frame.TaskOffer offer = d.expect(Frame.TaskOffer.class);
      if (offer.taskType().equals(type)) {
        return offer.taskId();
      }
    }
  }

  static Frame.TaskResult ok(Frame.TaskAssigned a) {
    return new Frame.TaskResult(a.taskId(), a.attempt(), TaskStatus.SUCCEEDED, null,
        Json.mapper().createObjectNode());
  }

  @Test
  void revokedTokenIsRefusedAtUpgradeAndConnectedSessionsFinishButClaimNothingMore()
      throws Exception {
    try (TestDelegate d = new TestDelegate("inst-rev")) {
      d.connect(client.http, controlPlane.baseUrl(), token.token(), 2, List.of());
      String first = submitNoop(0, List.of());
      Frame.TaskAssigned running = claim(d, d.expect(Frame.TaskOffer.class).taskId());
      assertThat(running.taskId()).isEqualTo(first);
      assertThat(running.leaseSeconds()).isEqualTo(2);

      TestClient.Reply revoked = client.delete("/api/v1/tokens/" + token.id());
      assertThat(revoked.code()).isEqualTo(200);
      assertThat(revoked.json().get("revoked").asBoolean()).isTrue();
      assertThat(client.delete("/api/v1/tokens/" + token.id()).code()).as("idempotent")
          .isEqualTo(200);
      assertThat(client.delete("/api/v1/tokens/tok-unknown").code()).isEqualTo(404);
      assertThat(d.expect(Frame.Revoked.class).message()).contains("revoked");

      String second = submitNoop(0, List.of());
      d.send(new Frame.Claim(second));
      assertThat(d.expect(Frame.ClaimRejected.class).reason()).isEqualTo("not offered");
      assertThat(client.get("/api/v1/delegates").json().get(0).get("state").asText())
          .isEqualTo("revoked");

      Instant before = Instant.parse(task(first).get("leaseExpiresAt").asText());
      await().atMost(Duration.ofSeconds(5)).until(() -> {
        d.send(new Frame.LeaseRenew(List.of(first)));
        return Instant.parse(task(first).get("leaseExpiresAt").asText()).isAfter(before);
      });
      d.send(ok(running));
      assertThat(d.expect(Frame.ResultAck.class).taskId()).isEqualTo(first);
      assertThat(task(first).get("status").asText()).isEqualTo("SUCCEEDED");
    }
    TestDelegate refused = new TestDelegate("inst-rev-2").open(client.http, controlPlane.baseUrl(),
        token.token());
    assertThat(refused.upgradeFailure.get(10, TimeUnit.SECONDS).code()).isEqualTo(401);
    ApiError error = Json.mapper().readValue(refused.failureBody.get(5, TimeUnit.SECONDS),
        ApiError.class);
    assertThat(error.message()).contains("revoked");
  }

  @Test
  void aLapsedLeaseRequeuesInitIgnoresTheStaleResultAndFailsAnExecuteStepAsDelegateLost()
      throws Exception {
    try (TestDelegate d = new TestDelegate("inst-lost")) {
      d.connect(client.http, controlPlane.baseUrl(), token.token(), 2, List.of());
      String id = OrchestrationIT.submit(client, Fixtures.pipeline("p", Fixtures.step("apply", "apply")));
      String initId = d.expect(Frame.TaskOffer.class).taskId();
      Frame.TaskAssigned first = claim(d, initId);
      assertThat(first.attempt()).isEqualTo(1);

      // no lease_renew: after 2 s the init task is queued again and offered as attempt 2
      await().atMost(Duration.ofSeconds(10)).until(() -> task(initId).get("attempt").asInt() == 2);
      Frame.TaskAssigned second = claim(d, initId);
      assertThat(second.attempt()).isEqualTo(2);

      d.send(Scripts.succeedExcept().apply(first)); // stale attempt: acknowledged, ignored
      assertThat(d.expect(Frame.ResultAck.class).taskId()).isEqualTo(initId);
      assertThat(task(initId).get("status").asText()).isEqualTo("RUNNING");
      assertThat(task(initId).get("attempt").asInt()).isEqualTo(2);

      d.send(Scripts.succeedExcept().apply(second));
      Frame.TaskAssigned step = claim(d, offerOf(d, TaskTypes.EXECUTE_STEP));
      assertThat(step.taskType()).isEqualTo(TaskTypes.EXECUTE_STEP);
      d.runWith(Scripts.succeedExcept()); // runs the cleanup; the step's lease lapses

      ExecutionView view = OrchestrationIT.awaitFinished(client, id);
      assertThat(view.status()).isEqualTo("FAILED");
      assertThat(view.error()).contains("delegate lost: lease of inst-lost lapsed at");
      assertThat(d.assigned).extracting(Frame.TaskAssigned::taskType)
          .endsWith(TaskTypes.CLEANUP_STAGE);
      assertThat(client.get("/metrics").body())
          .contains("dbops_lease_recoveries_total{outcome=\"requeued\"} 1.0")
          .contains("dbops_lease_recoveries_total{outcome=\"failed\"} 1.0");
    }
  }

  @Test
  void leaseRenewalExtendsHeldTasksAbortsOthersAndAReconnectReannouncesRunningTasks()
      throws Exception {
    String taskId;
    Frame.TaskAssigned assigned;
    try (TestDelegate d = new TestDelegate("inst-renew")) {
      d.connect(client.http, controlPlane.baseUrl(), token.token(), 1, List.of());
      taskId = submitNoop(0, List.of());
      assigned = claim(d, d.expect(Frame.TaskOffer.class).taskId());
      d.send(new Frame.LeaseRenew(List.of(taskId, "task-unknown")));
      Frame.Abort abort = d.expect(Frame.Abort.class);
      assertThat(abort.taskId()).isEqualTo("task-unknown");
      assertThat(abort.reason()).contains("not assigned");
    }
    try (TestDelegate d = new TestDelegate("inst-renew")) {
      Frame.Hello hello = new Frame.Hello(Frame.PROTOCOL_VERSION, "test-delegate", "inst-renew", "t",
          List.of(), 1, TaskTypes.ALL, List.of(new Frame.RunningTask(taskId, 1),
              new Frame.RunningTask("task-gone", 1)), List.of());
      Instant before = Instant.parse(task(taskId).get("leaseExpiresAt").asText());
      d.connect(client.http, controlPlane.baseUrl(), token.token(), hello);
      assertThat(d.expect(Frame.Abort.class).taskId()).isEqualTo("task-gone");
      assertThat(Instant.parse(task(taskId).get("leaseExpiresAt").asText())).isAfter(before);
      d.send(ok(assigned));
      assertThat(d.expect(Frame.ResultAck.class).taskId()).isEqualTo(taskId);
      assertThat(task(taskId).get("status").asText()).isEqualTo("SUCCEEDED");
      assertThat(task(taskId).get("attempt").asInt()).isEqualTo(1);
    }
  }

  @Test
  void abortingAnExecutionAbortsItsRunningStepCleansUpAndFailsIt() throws Exception {
    try (TestDelegate d = new TestDelegate("inst-abort")) {
      d.connect(client.http, controlPlane.baseUrl(), token.token(), 2, List.of());
      String id = OrchestrationIT.submit(client, Fixtures.pipeline("p", Fixtures.step("apply", "apply"),
          Fixtures.step("tag", "tag")));
      Frame.TaskAssigned init = claim(d, d.expect(Frame.TaskOffer.class).taskId());
      d.send(Scripts.succeedExcept().apply(init));
      Frame.TaskAssigned step = claim(d, offerOf(d, TaskTypes.EXECUTE_STEP));
      assertThat(step.taskType()).isEqualTo(TaskTypes.EXECUTE_STEP);

      TestClient.Reply reply = client.post("/api/v1/executions/" + id + "/abort", "");
      assertThat(reply.code()).as(reply.body()).isEqualTo(202);
      Frame.Abort abort = d.expect(Frame.Abort.class);
      assertThat(abort.taskId()).isEqualTo(step.taskId());
      assertThat(abort.reason()).isEqualTo("aborted by user");
      d.runWith(Scripts.succeedExcept());
      d.send(new Frame.TaskResult(step.taskId(), step.attempt(), TaskStatus.FAILED,
          "aborted: aborted by user", null));

      ExecutionView view = OrchestrationIT.awaitFinished(client, id);
      assertThat(view.status()).isEqualTo("FAILED");
      assertThat(view.error()).isEqualTo("aborted by user");
      assertThat(view.stages().get(0).steps()).extracting(ExecutionView.StepView::status)
          .containsExactly("FAILED", "SKIPPED");
      assertThat(d.assigned).extracting(Frame.TaskAssigned::taskType)
          .endsWith(TaskTypes.CLEANUP_STAGE);
      assertThat(client.post("/api/v1/executions/" + id + "/abort", "").code()).isEqualTo(409);
      assertThat(client.post("/api/v1/executions/ex-nope/abort", "").code()).isEqualTo(404);
    }
  }

  @Test
  void offersTheDatabaseAddressAndFailsWithTheReasonsWhenNoDelegateCanRunATask() throws Exception {
    try (TestDelegate d = new TestDelegate("inst-route")) {
      d.connect(client.http, controlPlane.baseUrl(), token.token(), 2, List.of("eu"));
      Pipeline pipeline = new Pipeline("p", List.of(new Stage("dev",
          new Database("jdbc:postgresql://db.internal:5432/orders", "app", null),
          List.of(Fixtures.step("apply", "apply")), List.of(), 0)));
      String id = OrchestrationIT.submit(client, pipeline);
      Frame.TaskOffer offer = d.expect(Frame.TaskOffer.class);
      assertThat(offer.reachability()).isEqualTo("db.internal:5432");
      d.send(new Frame.ClaimDeclined(offer.taskId(), "cannot reach db.internal:5432"));

      ExecutionView view = OrchestrationIT.awaitFinished(client, id);
      assertThat(view.status()).isEqualTo("FAILED");
      assertThat(view.error()).contains("no eligible delegate for init_stage of stage dev: "
          + "test-delegate (instance inst-route): cannot reach db.internal:5432");

      String pci = submitNoop(0, List.of("pci"));
      await().atMost(Duration.ofSeconds(10)).until(() -> "FAILED".equals(task(pci).get("status").asText()));
      assertThat(task(pci).get("error").asText()).isEqualTo("no eligible delegate for noop of task "
          + pci + ": test-delegate (instance inst-route): missing tags [pci]");
      assertThat(client.get("/metrics").body()).contains("dbops_no_eligible_delegate_failures_total 2.0");
    }
    String lonely = submitNoop(0, List.of());
    await().atMost(Duration.ofSeconds(10)).until(() -> "FAILED".equals(task(lonely).get("status").asText()));
    assertThat(task(lonely).get("error").asText()).endsWith(": no delegate connected");
  }

  @Test
  void aDrainingDelegateIsOfferedNothingHandsBackATaskAndUnregistersWithGoodbye() throws Exception {
    try (TestDelegate d = new TestDelegate("inst-drain")) {
      d.connect(client.http, controlPlane.baseUrl(), token.token(), 2, List.of());
      String first = submitNoop(0, List.of());
      claim(d, d.expect(Frame.TaskOffer.class).taskId());
      d.send(new Frame.Draining("SIGTERM"));
      await().atMost(Duration.ofSeconds(5)).until(() -> "draining".equals(
          client.get("/api/v1/delegates").json().get(0).get("state").asText()));
      String second = submitNoop(0, List.of());
      d.send(new Frame.Claim(second));
      assertThat(d.expect(Frame.ClaimRejected.class).reason()).isEqualTo("not offered");

      d.send(new Frame.TaskRelease(first, "not started before shutdown"));
      await().atMost(Duration.ofSeconds(5)).until(() -> "QUEUED".equals(task(first).get("status").asText()));
      assertThat(task(first).get("attempt").asInt()).isEqualTo(2);

      d.send(new Frame.Goodbye("drained"));
      assertThat(d.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1000);
      assertThat(client.get("/api/v1/delegates").json()).isEmpty();
    }
  }

  @Test
  void runsDiagnosticsTasksAndServesMetricsAndReadiness() throws Exception {
    TestClient.Reply refused = client.post("/api/v1/tasks", Map.of("type", "init_stage"));
    assertThat(refused.code()).isEqualTo(400);
    assertThat(refused.as(ApiError.class).message()).contains("noop");
    assertThat(client.get("/api/v1/tasks/task-nope").code()).isEqualTo(404);
    try (TestDelegate d = new TestDelegate("inst-diag")) {
      d.connect(client.http, controlPlane.baseUrl(), token.token(), 4, List.of());
      d.runWith(LeasesAndRoutingIT::ok);
      String id = submitNoop(0, List.of());
      await().atMost(Duration.ofSeconds(5)).until(() -> "SUCCEEDED".equals(task(id).get("status").asText()));
      JsonNode view = task(id);
      assertThat(view.get("type").asText()).isEqualTo("noop");
      assertThat(view.get("delegateInstance").asText()).isEqualTo("inst-diag");
      assertThat(view.get("attempt").asInt()).isEqualTo(1);
      assertThat(view.get("finishedAt").isNull()).isFalse();
      String metrics = client.get("/metrics").body();
      assertThat(metrics).contains("dbops_delegates_connected 1.0").contains("dbops_task_claims_total 1.0")
          .contains("dbops_task_results_total 1.0").contains("dbops_tasks_queued 0.0");
    }
    assertThat(client.get("/readyz").json().get("status").asText()).isEqualTo("ready");
  }
}
