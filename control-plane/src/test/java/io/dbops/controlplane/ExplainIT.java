package io.dbops.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dbops.api.ExecutionView;
import io.dbops.api.LogPage;
import io.dbops.api.TokenCreated;
import io.dbops.pipeline.Database;
import io.dbops.pipeline.Pipeline;
import io.dbops.pipeline.Stage;
import io.dbops.protocol.Frame;
import io.dbops.support.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Executions that explain themselves (issue #15 part 4) over real sockets: who started an
 * execution and from where, each stage's target and delegate, and a stage no delegate can take
 * announced within seconds, naming each delegate's reason, then failed after the configured wait.
 */
class ExplainIT {
  @TempDir Path dataDir;
  ControlPlane controlPlane;
  TestClient client;
  String delegateToken;

  void start(int stageWaitSeconds) {
    controlPlane = new ControlPlane(Fixtures.builder(dataDir).periods(200, 200)
        .stageWaitForDelegateSeconds(stageWaitSeconds).build());
    controlPlane.start();
    client = TestClient.of(controlPlane);
    delegateToken = client.post("/api/v1/tokens", "{\"name\":\"d\"}").as(TokenCreated.class).token();
  }

  @AfterEach
  void stop() {
    if (controlPlane != null) {
      controlPlane.close();
    }
  }

  String submitFromCli(Pipeline pipeline) throws Exception {
    Request request = new Request.Builder().url(client.baseUrl + "/api/v1/executions")
        .header("Authorization", "Bearer " + client.token).header("X-Dbops-Client", "cli")
        .post(RequestBody.create(Json.write(pipeline), TestClient.JSON)).build();
    try (Response response = client.http.newCall(request).execute()) {
      String body = response.body().string();
      assertThat(response.code()).as(body).isEqualTo(201);
      return Json.mapper().readTree(body).get("id").asText();
    }
  }

  ExecutionView view(String id) {
    return client.get("/api/v1/executions/" + id).as(ExecutionView.class);
  }

  static Pipeline pipeline(String url, List<String> selectors) {
    return new Pipeline("orders", List.of(new Stage("dev", new Database(url, "app",
        "env:ORDERS_DB_PASSWORD"), List.of(Fixtures.step("apply", "apply")), selectors, 0)));
  }

  @Test
  void recordsWhoStartedItFromWhereTheTargetAndTheDelegate() throws Exception {
    start(30);
    String me = client.get("/api/v1/whoami").json().path("name").asText();
    try (TestDelegate d = new TestDelegate("inst-explain")) {
      d.connect(client.http, controlPlane.baseUrl(), delegateToken, 2, List.of());
      d.runWith(Scripts.succeedExcept());
      String fromCli = submitFromCli(pipeline(
          "jdbc:postgresql://db.internal:5432/orders?ssl=true&sslmode=require", List.of()));
      ExecutionView view = OrchestrationIT.awaitFinished(client, fromCli);
      assertThat(view.status()).isEqualTo("SUCCEEDED");
      assertThat(view.origin().startedBy()).isEqualTo(me);
      assertThat(view.origin().tokenName()).startsWith(me + " (").endsWith(")");
      assertThat(view.origin().source()).isEqualTo("cli");
      assertThat(view.origin().pipelineName()).isEqualTo("orders");
      assertThat(view.origin().pipelineVersion()).isNull();
      ExecutionView.StageView stage = view.stages().get(0);
      assertThat(stage.target()).isEqualTo("jdbc:postgresql://db.internal:5432/orders");
      assertThat(stage.delegateName()).isEqualTo("test-delegate");
      assertThat(stage.delegateInstance()).isEqualTo("inst-explain");
      assertThat(stage.startedAt()).isNotNull();
      assertThat(stage.finishedAt()).isAfterOrEqualTo(stage.startedAt());
      assertThat(stage.steps().get(0).startedAt()).isNotNull();
      assertThat(stage.steps().get(0).finishedAt()).isNotNull();
      assertThat(stage.waiting()).isNull();
      assertThat(view.events()).isEmpty();

      String fromApi = OrchestrationIT.submit(client, pipeline("jdbc:h2:mem:orders", List.of()));
      assertThat(OrchestrationIT.awaitFinished(client, fromApi).origin().source()).isEqualTo("api");
      // the listing carries the origin too
      assertThat(client.get("/api/v1/executions").json().get(0).path("origin").path("startedBy")
          .asText()).isEqualTo(me);
    }
  }

  @Test
  void aStageWhoseSelectorsMatchNoDelegateIsAnnouncedWithinSecondsThenFails() throws Exception {
    start(3);
    try (TestDelegate d = new TestDelegate("inst-eu")) {
      d.connect(client.http, controlPlane.baseUrl(), delegateToken, 2, List.of("eu"));
      long submitted = System.nanoTime();
      String id = OrchestrationIT.submit(client, pipeline("jdbc:h2:mem:orders", List.of("pci")));
      AtomicReference<ExecutionView> seen = new AtomicReference<>();
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
          .until(() -> {
            seen.set(view(id));
            return seen.get().stages().get(0).waiting() != null;
          });
      assertThat(Duration.ofNanos(System.nanoTime() - submitted)).isLessThan(Duration.ofSeconds(10));
      assertThat(seen.get().status()).isEqualTo("RUNNING");
      assertThat(seen.get().stages().get(0).waiting())
          .contains("Stage dev: no delegate can take it: every connected delegate declined it: "
              + "test-delegate (instance inst-eu): missing tags [pci]")
          .contains("waiting up to 3 s")
          .contains("DBOPS_STAGE_WAIT_FOR_DELEGATE_SECONDS");
      assertThat(seen.get().events()).singleElement().satisfies(e -> {
        assertThat(e.type()).isEqualTo("no_delegate");
        assertThat(e.stage()).isEqualTo("dev");
        assertThat(e.details()).containsEntry("test-delegate (instance inst-eu)",
            "missing tags [pci]");
      });
      ExecutionView failed = OrchestrationIT.awaitFinished(client, id);
      assertThat(failed.status()).isEqualTo("FAILED");
      assertThat(failed.error()).contains("no eligible delegate for init_stage of stage dev: "
          + "test-delegate (instance inst-eu): missing tags [pci]");
      LogPage log = client.get("/api/v1/executions/" + id + "/logs").as(LogPage.class);
      assertThat(log.lines()).filteredOn(l -> l.text().contains("no delegate can take it"))
          .singleElement().satisfies(l -> assertThat(l.level()).isEqualTo("WARN"));
    }
  }

  @Test
  void aStageEveryDelegateDeclinesFailsAtOnceWithTheirReasonsWhenTheWaitIsZero() throws Exception {
    start(0);
    try (TestDelegate a = new TestDelegate("inst-a"); TestDelegate b = new TestDelegate("inst-b")) {
      a.connect(client.http, controlPlane.baseUrl(), delegateToken, 2, List.of());
      b.connect(client.http, controlPlane.baseUrl(), delegateToken, 2, List.of());
      String id = OrchestrationIT.submit(client,
          pipeline("jdbc:postgresql://db.internal:5432/orders", List.of()));
      Frame.TaskOffer offerA = a.expect(Frame.TaskOffer.class);
      Frame.TaskOffer offerB = b.expect(Frame.TaskOffer.class);
      a.send(new Frame.ClaimDeclined(offerA.taskId(), "cannot reach db.internal:5432: refused"));
      b.send(new Frame.ClaimDeclined(offerB.taskId(), "cannot reach db.internal:5432: timed out"));
      ExecutionView failed = OrchestrationIT.awaitFinished(client, id);
      assertThat(failed.status()).isEqualTo("FAILED");
      assertThat(failed.stages().get(0).waiting())
          .contains("test-delegate (instance inst-a): cannot reach db.internal:5432: refused")
          .contains("test-delegate (instance inst-b): cannot reach db.internal:5432: timed out")
          .contains("the stage fails now (DBOPS_STAGE_WAIT_FOR_DELEGATE_SECONDS is 0)");
      assertThat(failed.error()).contains("cannot reach db.internal:5432: refused");
    }
  }

  @Test
  void withNoDelegateConnectedTheStageSaysSo() {
    start(30);
    String id = OrchestrationIT.submit(client, pipeline("jdbc:h2:mem:orders", List.of()));
    await().atMost(Duration.ofSeconds(10)).until(() -> view(id).stages().get(0).waiting() != null);
    assertThat(view(id).stages().get(0).waiting()).contains("no delegate is connected")
        .contains("waiting up to 30 s");
    assertThat(client.post("/api/v1/executions/" + id + "/abort", "").code()).isEqualTo(202);
    assertThat(OrchestrationIT.awaitFinished(client, id).error()).isEqualTo("aborted by user");
  }
}
