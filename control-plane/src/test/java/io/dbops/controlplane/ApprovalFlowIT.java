package io.dbops.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.api.ExecutionView;
import io.dbops.api.TokenCreated;
import io.dbops.pipeline.ApprovalRule;
import io.dbops.pipeline.Database;
import io.dbops.pipeline.Pipeline;
import io.dbops.pipeline.Stage;
import io.dbops.pipeline.Step;
import io.dbops.protocol.Frame;
import io.dbops.protocol.InitStageOutput;
import io.dbops.protocol.StepOutput;
import io.dbops.protocol.TaskStatus;
import io.dbops.protocol.TaskTypes;
import io.dbops.support.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Approval steps through the real control plane and a scripted delegate: waiting, the approval
 * API with its rules, the hash handed to the apply, the pod's deadline, abort and timeout.
 */
class ApprovalFlowIT {
  private static final String HASH = "c0ffee".repeat(10) + "beef";

  @TempDir Path dataDir;
  ControlPlane controlPlane;
  TestClient admin;
  TestDelegate delegate;
  String approver;

  @BeforeEach
  void start() throws Exception {
    controlPlane = new ControlPlane(Fixtures.config(dataDir));
    controlPlane.start();
    admin = TestClient.of(controlPlane);
    approver = AccessFixture.token(admin, "bob", "approver");
    String token = admin.post("/api/v1/tokens", "{\"name\":\"d\"}").as(TokenCreated.class).token();
    delegate = new TestDelegate("inst-approvals");
    delegate.connect(admin.http, controlPlane.baseUrl(), token, 2, List.of());
    delegate.runWith(script());
  }

  @AfterEach
  void stop() {
    delegate.close();
    controlPlane.close();
  }

  /** Previews output SQL and a hash; everything else succeeds. */
  private static Function<Frame.TaskAssigned, Frame.TaskResult> script() {
    return a -> switch (a.taskType()) {
      case TaskTypes.INIT_STAGE -> new Frame.TaskResult(a.taskId(), a.attempt(), TaskStatus.SUCCEEDED, null,
          Json.tree(new InitStageOutput(a.payload().get("podName").asText(), "127.0.0.1:40123",
              List.of(20002, 20003, 20004, 20005))));
      case TaskTypes.EXECUTE_STEP -> {
        boolean rollback = a.payload().path("step").path("rollback").asBoolean();
        Map<String, String> outputs = "preview".equals(a.payload().path("step").path("kind").asText())
            ? (rollback ? Map.of("sql", "DROP TABLE orders;") : Map.of("sql", "CREATE TABLE orders (id INT);",
                "sqlHash", HASH))
            : Map.of();
        yield new Frame.TaskResult(a.taskId(), a.attempt(), TaskStatus.SUCCEEDED, null,
            Json.tree(new StepOutput("SUCCEEDED", null, outputs, List.of(), 5, 1, 0)));
      }
      default -> new Frame.TaskResult(a.taskId(), a.attempt(), TaskStatus.SUCCEEDED, null, null);
    };
  }

  private static Pipeline pipeline(ApprovalRule rule) {
    Step approve = new Step("approve", "approval", null, null, null, null, null, null, null, null, null, null,
        null, null, null, null, null, null, null, null, null, rule);
    Step undo = new Step("undo", "preview", "changelog.xml", "/work/changelogs", null, null, null, null, Map.of(),
        null, null, null, null, true, null, null, null, null, null, null);
    return new Pipeline("orders", List.of(new Stage("prod", new Database("jdbc:h2:mem:orders", "sa", null),
        List.of(Fixtures.step("preview", "preview"), undo, approve, Fixtures.step("apply", "apply")),
        List.of(), 0)));
  }

  private String submit(ApprovalRule rule) {
    TestClient.Reply reply = admin.post("/api/v1/executions", pipeline(rule));
    assertThat(reply.code()).as(reply.body()).isEqualTo(201);
    return reply.json().get("id").asText();
  }

  private String status(String id) {
    return admin.get("/api/v1/executions/" + id).as(ExecutionView.class).status();
  }

  private void awaitStatus(String id, String status) {
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(status(id)).isEqualTo(status));
  }

  private TestClient.Reply decide(String id, String token, String decision, String comment) {
    String body = Json.write(Map.of("decision", decision, "comment", comment));
    String path = "/api/v1/executions/" + id + "/approvals";
    return token == null ? admin.post(path, body) : admin.post(path, body, token);
  }

  @Test
  void theExecutionWaitsTheStarterIsRefusedAndAnApproverLetsTheBoundApplyRun() {
    String id = submit(new ApprovalRule(1, List.of(), List.of(), false, 900));
    awaitStatus(id, "WAITING_APPROVAL");
    assertThat(delegate.assigned).extracting(Frame.TaskAssigned::taskType).containsExactly(
        TaskTypes.INIT_STAGE, TaskTypes.EXECUTE_STEP, TaskTypes.EXECUTE_STEP);
    // the pod lives through the approval's wait
    assertThat(delegate.assigned.get(0).payload().path("timeoutSeconds").asInt()).isEqualTo(3600 + 900);

    JsonNode shown = admin.get("/api/v1/executions/" + id + "/approvals").json().get(0);
    assertThat(shown.path("status").asText()).isEqualTo("WAITING");
    assertThat(shown.path("sqlHash").asText()).isEqualTo(HASH);
    assertThat(shown.path("updateSql").asText()).isEqualTo("CREATE TABLE orders (id INT);");
    assertThat(shown.path("rollbackSql").asText()).isEqualTo("DROP TABLE orders;");
    JsonNode mine = admin.get("/api/v1/approvals?mine=true", approver).json();
    assertThat(mine).hasSize(1);
    assertThat(mine.get(0).path("executionId").asText()).isEqualTo(id);
    assertThat(admin.get("/api/v1/approvals?mine=true").json()).isEmpty();

    TestClient.Reply refused = decide(id, null, "approve", "mine");
    assertThat(refused.code()).as(refused.body()).isEqualTo(403);
    assertThat(refused.body()).contains("rule: starterMayApprove is false");
    TestClient.Reply bad = decide(id, approver, "maybe", "x".repeat(2001));
    assertThat(bad.code()).isEqualTo(400);
    assertThat(bad.body()).contains("decision must be").contains("at most 2000");
    assertThat(status(id)).isEqualTo("WAITING_APPROVAL");

    TestClient.Reply approved = decide(id, approver, "approve", "read it");
    assertThat(approved.code()).as(approved.body()).isEqualTo(200);
    assertThat(approved.json().path("status").asText()).isEqualTo("APPROVED");
    awaitStatus(id, "SUCCEEDED");
    Frame.TaskAssigned apply = delegate.assigned.stream()
        .filter(a -> "apply".equals(a.payload().path("stepName").asText())).findFirst().orElseThrow();
    assertThat(apply.payload().path("step").path("approvedSqlHash").asText()).isEqualTo(HASH);
    // the approval step has no container: the apply runs in the third
    assertThat(delegate.assigned.get(0).payload().path("stepContainers").asInt()).isEqualTo(3);
    assertThat(apply.payload().path("stepPort").asInt()).isEqualTo(20004);
    Frame.TaskAssigned preview = delegate.assigned.get(1);
    assertThat(preview.payload().path("step").path("approvedSqlHash").isNull()).isTrue();

    String audit = admin.get("/api/v1/audit?limit=100").body();
    assertThat(audit).contains("approval.approve").contains("read it").contains(HASH).contains("bob (")
        .contains("approval.request");
    assertThat(decide(id, approver, "approve", "again").code()).isEqualTo(409);
  }

  @Test
  void aRejectionFailsTheExecutionWithTheReasonAndCleansUp() {
    String id = submit(null);
    awaitStatus(id, "WAITING_APPROVAL");
    TestClient.Reply rejected = decide(id, approver, "reject", "not on a Friday");
    assertThat(rejected.code()).as(rejected.body()).isEqualTo(200);
    awaitStatus(id, "FAILED");
    ExecutionView view = admin.get("/api/v1/executions/" + id).as(ExecutionView.class);
    assertThat(view.error()).contains("rejected by bob: not on a Friday");
    assertThat(view.stages().get(0).steps()).extracting(ExecutionView.StepView::status)
        .containsExactly("SUCCEEDED", "SUCCEEDED", "FAILED", "SKIPPED");
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(delegate.assigned)
        .extracting(Frame.TaskAssigned::taskType).contains(TaskTypes.CLEANUP_STAGE));
  }

  @Test
  void aWaitingExecutionCanBeAbortedAndAnApprovalTimesOut() {
    String aborted = submit(null);
    awaitStatus(aborted, "WAITING_APPROVAL");
    assertThat(admin.post("/api/v1/executions/" + aborted + "/abort", "{}").code()).isEqualTo(202);
    awaitStatus(aborted, "FAILED");
    assertThat(admin.get("/api/v1/executions/" + aborted + "/approvals").json().get(0).path("status").asText())
        .isEqualTo("ABORTED");

    String timedOut = submit(new ApprovalRule(1, List.of(), List.of(), false, 1));
    awaitStatus(timedOut, "FAILED");
    assertThat(admin.get("/api/v1/executions/" + timedOut).as(ExecutionView.class).error())
        .contains("timed out after 1 s").contains("counts as rejected");
    assertThat(admin.get("/api/v1/audit?limit=100").body()).contains("approval.timeout");
  }
}
