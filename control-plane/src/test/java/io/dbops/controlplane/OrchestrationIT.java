package io.dbops.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dbops.api.ApiError;
import io.dbops.api.ExecutionView;
import io.dbops.api.LogPage;
import io.dbops.api.TokenCreated;
import io.dbops.controlplane.config.ControlPlaneConfig;
import io.dbops.pipeline.Pipeline;
import io.dbops.protocol.Frame;
import io.dbops.protocol.TaskTypes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrchestrationIT {
  @TempDir Path dataDir;
  ControlPlane controlPlane;
  TestClient client;

  void start(ControlPlaneConfig config) {
    controlPlane = new ControlPlane(config);
    controlPlane.start();
    client = TestClient.of(controlPlane);
  }

  @AfterEach
  void stop() {
    if (controlPlane != null) {
      controlPlane.close();
    }
  }

  static String submit(TestClient client, Pipeline pipeline) {
    TestClient.Reply reply = client.post("/api/v1/executions", pipeline);
    assertThat(reply.code()).as(reply.body()).isEqualTo(201);
    return reply.json().get("id").asText();
  }

  static ExecutionView awaitFinished(TestClient client, String id) {
    await().atMost(Duration.ofSeconds(20)).until(
        () -> client.get("/api/v1/executions/" + id).as(ExecutionView.class).finished());
    return client.get("/api/v1/executions/" + id).as(ExecutionView.class);
  }

  static void runsATwoStepPipelineToSuccess(ControlPlane controlPlane, TestClient client)
      throws Exception {
    String token = client.post("/api/v1/tokens", "{\"name\":\"d\"}").as(TokenCreated.class).token();
    try (TestDelegate delegate = new TestDelegate("inst-a")) {
      delegate.connect(client.http, controlPlane.baseUrl(), token, 2, List.of());
      delegate.runWith(Scripts.succeedExcept());
      String id = submit(client, Fixtures.pipeline("orders", Fixtures.step("preview", "preview"),
          Fixtures.step("apply", "apply")));
      assertThat(id).matches("ex-[a-z2-7]{12}");

      ExecutionView view = awaitFinished(client, id);
      assertThat(view.status()).isEqualTo("SUCCEEDED");
      assertThat(view.error()).isNull();
      ExecutionView.StageView stage = view.stages().get(0);
      assertThat(stage.status()).isEqualTo("SUCCEEDED");
      assertThat(stage.steps()).extracting(ExecutionView.StepView::status)
          .containsExactly("SUCCEEDED", "SUCCEEDED");
      assertThat(stage.steps().get(1).output().changesets()).hasSize(1);
      assertThat(stage.steps().get(1).output().outputs()).containsEntry("preStartTag", "dbops-pre-x");

      assertThat(delegate.assigned).extracting(Frame.TaskAssigned::taskType).containsExactly(
          TaskTypes.INIT_STAGE, TaskTypes.EXECUTE_STEP, TaskTypes.EXECUTE_STEP,
          TaskTypes.CLEANUP_STAGE);
      Frame.TaskAssigned init = delegate.assigned.get(0);
      assertThat(init.payload().get("podName").asText()).isEqualTo("dbops-" + id + "-dev");
      assertThat(init.payload().get("secretEnv").get(0).get("source").asText())
          .isEqualTo("env:ORDERS_DB_PASSWORD");
      Frame.TaskAssigned apply = delegate.assigned.get(2);
      assertThat(apply.payload().get("stepPort").asInt()).isEqualTo(20003);
      assertThat(apply.payload().get("liteEngineAddress").asText()).isEqualTo("127.0.0.1:40123");
      assertThat(apply.payload().get("step").get("passwordEnv").asText()).isEqualTo("DBOPS_DB_PASSWORD");
      assertThat(apply.payload().get("step").get("preTagPrefix").asText()).isEqualTo("dbops-pre-" + id);
      assertThat(apply.payload().get("logStream").get("key").asText())
          .isEqualTo("executions/" + id + "/dev/apply");
      assertThat(apply.payload().get("logStream").get("token").asText()).isNotBlank();
      assertThat(apply.payload().get("logStream").get("serviceUrl").asText())
          .isEqualTo(controlPlane.baseUrl());

      LogPage log = client.get("/api/v1/executions/" + id + "/logs").as(LogPage.class);
      assertThat(log.executionStatus()).isEqualTo("SUCCEEDED");
      assertThat(log.lines()).extracting(LogPage.Line::text)
          .anyMatch(t -> t.equals("Stage dev: build pod dbops-" + id + "-dev ready at 127.0.0.1:40123"))
          .anyMatch(t -> t.startsWith("Stage dev, step apply succeeded"))
          .anyMatch(t -> t.equals("Stage dev finished: SUCCEEDED"));
      assertThat(log.lines()).allMatch(l -> l.stream().equals("executions/" + id + "/control"));
    }
  }

  @Test
  void runsATwoStepPipelineToSuccessDrivenByADelegate() throws Exception {
    start(Fixtures.config(dataDir));
    runsATwoStepPipelineToSuccess(controlPlane, client);
  }

  @Test
  void aFailingStepFailsTheExecutionSkipsTheRestAndStillCleansUp() throws Exception {
    start(Fixtures.config(dataDir));
    String token = client.post("/api/v1/tokens", "{\"name\":\"d\"}").as(TokenCreated.class).token();
    try (TestDelegate delegate = new TestDelegate("inst-b")) {
      delegate.connect(client.http, controlPlane.baseUrl(), token, 1, List.of());
      delegate.runWith(Scripts.succeedExcept("apply"));
      String id = submit(client, Fixtures.pipeline("orders", Fixtures.step("apply", "apply"),
          Fixtures.step("tag", "tag")));

      ExecutionView view = awaitFinished(client, id);
      assertThat(view.status()).isEqualTo("FAILED");
      assertThat(view.error()).isEqualTo(
          "Stage dev, step apply: Changeset 2::bob failed: relation \"orders\" already exists");
      ExecutionView.StageView stage = view.stages().get(0);
      assertThat(stage.status()).isEqualTo("FAILED");
      assertThat(stage.steps()).extracting(ExecutionView.StepView::status)
          .containsExactly("FAILED", "SKIPPED");
      assertThat(stage.steps().get(0).output().status()).isEqualTo("FAILED");
      assertThat(delegate.assigned).extracting(Frame.TaskAssigned::taskType).containsExactly(
          TaskTypes.INIT_STAGE, TaskTypes.EXECUTE_STEP, TaskTypes.CLEANUP_STAGE);
    }
  }

  @Test
  void refusesAnInvalidPipelineListingEveryProblem() {
    start(Fixtures.config(dataDir));
    String body = "{\"name\":\"\",\"stages\":[{\"name\":\"Dev!\",\"database\":{\"url\":\"postgres://x\"},"
        + "\"steps\":[{\"name\":\"a\",\"type\":\"explode\",\"changelog\":\"c.xml\","
        + "\"searchPath\":\"relative/dir\"}]}]}";
    TestClient.Reply reply = client.post("/api/v1/executions", body);
    assertThat(reply.code()).isEqualTo(400);
    ApiError error = reply.as(ApiError.class);
    assertThat(error.details()).hasSize(5);
    assertThat(String.join("\n", error.details()))
        .contains("'name' is required").contains("Dev!").contains("jdbc:").contains("explode")
        .contains("searchPath must be an absolute path");
    assertThat(client.get("/api/v1/executions/ex-unknown").code()).isEqualTo(404);
  }

  @Test
  void servesOldExecutionsAfterARestartOnTheSameDataDir() throws Exception {
    start(Fixtures.config(dataDir));
    runsATwoStepPipelineToSuccess(controlPlane, client);
    String id = client.get("/api/v1/executions").json().get(0).get("id").asText();
    controlPlane.close();
    controlPlane.close(); // idempotent

    start(Fixtures.config(dataDir));
    ExecutionView view = client.get("/api/v1/executions/" + id).as(ExecutionView.class);
    assertThat(view.status()).isEqualTo("SUCCEEDED");
    assertThat(view.stages().get(0).steps()).hasSize(2);
    assertThat(client.get("/api/v1/executions/" + id + "/logs").as(LogPage.class).lines()).isNotEmpty();
  }
}
