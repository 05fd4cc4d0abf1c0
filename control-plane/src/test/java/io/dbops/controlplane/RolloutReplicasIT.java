package io.dbops.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dbops.api.ExecutionView;
import io.dbops.api.RolloutView;
import io.dbops.api.TokenCreated;
import io.dbops.controlplane.config.ControlPlaneConfig;
import io.dbops.pipeline.Pipeline;
import io.dbops.pipeline.Rollout;
import io.dbops.pipeline.Stage;
import io.dbops.protocol.Frame;
import io.dbops.protocol.InitStageOutput;
import io.dbops.protocol.StepOutput;
import io.dbops.protocol.TaskStatus;
import io.dbops.protocol.TaskTypes;
import io.dbops.support.Json;
import io.dbops.testsupport.TestDatabase;
import io.dbops.testsupport.TestDatabases;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rollout on two control plane replicas sharing one PostgreSQL database, delegates on both, the
 * rollout submitted to one and watched on the other: each target gets exactly one execution and one
 * apply (docs/fleet-rollouts.md "Durability and replicas").
 */
class RolloutReplicasIT {
  @TempDir Path dataDir;
  final Map<String, Integer> applies = new ConcurrentHashMap<>();

  private Function<Frame.TaskAssigned, Frame.TaskResult> script() {
    return a -> switch (a.taskType()) {
      case TaskTypes.INIT_STAGE -> new Frame.TaskResult(a.taskId(), a.attempt(), TaskStatus.SUCCEEDED, null,
          Json.tree(new InitStageOutput(a.payload().get("podName").asText(), "127.0.0.1:40123",
              List.of(20002, 20003, 20004, 20005))));
      case TaskTypes.EXECUTE_STEP -> {
        String url = a.payload().path("step").path("jdbcUrl").asText();
        applies.merge(url.substring(url.lastIndexOf('/') + 1), 1, Integer::sum);
        yield new Frame.TaskResult(a.taskId(), a.attempt(), TaskStatus.SUCCEEDED, null,
            Json.tree(new StepOutput("SUCCEEDED", null, Map.of(), List.of(), 5, 1, 0)));
      }
      default -> new Frame.TaskResult(a.taskId(), a.attempt(), TaskStatus.SUCCEEDED, null, null);
    };
  }

  @Test
  void everyTargetRunsExactlyOnceWhenItsEndArrivesAtEitherReplica() throws Exception {
    try (TestDatabase db = TestDatabases.create(TestDatabases.Kind.POSTGRES)) {
      ControlPlaneConfig config = Fixtures.builder(dataDir)
          .database(db.jdbcUrl(), db.username(), db.password()).periods(500, 500).build();
      try (ControlPlane a = new ControlPlane(config); ControlPlane b = new ControlPlane(config)) {
        a.start();
        b.start();
        TestClient clientA = TestClient.of(a);
        TestClient clientB = clientA.at(b.baseUrl());
        String token = clientA.post("/api/v1/tokens", "{\"name\":\"r\"}").as(TokenCreated.class).token();
        List<TestDelegate> delegates = new ArrayList<>();
        try {
          for (String[] at : new String[][] {{"inst-a", a.baseUrl()}, {"inst-b", b.baseUrl()}}) {
            TestDelegate d = new TestDelegate(at[0]);
            delegates.add(d);
            d.connect(clientA.http, at[1], token, 3, List.of());
            d.runWith(script());
          }
          assertThat(clientA.put("/api/v1/environments/tenants", "{\"order\": 1}").code()).isEqualTo(201);
          for (int i = 0; i < 20; i++) {
            String name = String.format("tenant-%02d", i);
            assertThat(clientB.put("/api/v1/targets/" + name, Map.of("environment", "tenants",
                "url", "jdbc:postgresql://db-" + (i % 3) + ":5432/" + name, "labels", Map.of("tier", "tenant")))
                .code()).isEqualTo(201);
          }
          Pipeline pipeline = new Pipeline("fleet", List.of(new Stage("tenants", null,
              List.of(Fixtures.step("apply", "apply")), List.of(), 0, null, null, null, null, null, "tier=tenant",
              new Rollout(1, List.of("5"), 6, 2, "2"), null)));
          TestClient.Reply submitted = clientA.post("/api/v1/executions", pipeline);
          assertThat(submitted.code()).as(submitted.body()).isEqualTo(201);
          String id = submitted.json().get("id").asText();
          await().atMost(Duration.ofSeconds(90)).until(() -> clientB.get("/api/v1/executions/" + id)
              .as(ExecutionView.class).finished());
          ExecutionView done = clientB.get("/api/v1/executions/" + id).as(ExecutionView.class);
          assertThat(done.status()).as(done.error()).isEqualTo("SUCCEEDED");
          RolloutView r = done.stages().get(0).rollout();
          assertThat(r.counts()).isEqualTo(new RolloutView.Counts(0, 0, 20, 0, 0, 0));
          assertThat(applies).hasSize(20).allSatisfy((target, n) -> assertThat(n).isEqualTo(1));
          assertThat(db.queryLong("SELECT COUNT(*) FROM executions WHERE parent_id = '" + id + "'")).isEqualTo(20);
          // Not asserted: that both replicas' delegates ran targets. Under load they did; on a quiet
          // machine the first replica's delegate, offered each task at once, took all 60 before the
          // second replica's dispatch scan offered one; the test below shows the second replica's
          // delegate taking targets once the first one is busy.
        } finally {
          delegates.forEach(TestDelegate::close);
        }
      }
    }
  }

  /**
   * Delegate A's pod starts and steps take a while, as real ones do (their results are held back
   * and sent from another thread): once A is at its capacity, the rollout's further targets go to
   * the delegate connected to the other replica, whose dispatch scan finds them in the shared queue.
   * (With instant answers, as above, A finishes each task before B's scan and may run them all;
   * and a stage's later tasks are pinned to the instance holding its pod.)
   */
  @Test
  void targetsGoToTheOtherReplicasDelegateWhileTheFirstOneIsFull() throws Exception {
    try (TestDatabase db = TestDatabases.create(TestDatabases.Kind.POSTGRES)) {
      ControlPlaneConfig config = Fixtures.builder(dataDir)
          .database(db.jdbcUrl(), db.username(), db.password()).periods(500, 500).build();
      java.util.concurrent.ScheduledExecutorService later = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
      Map<String, Integer> ranBy = new ConcurrentHashMap<>();
      try (ControlPlane a = new ControlPlane(config); ControlPlane b = new ControlPlane(config)) {
        a.start();
        b.start();
        TestClient clientA = TestClient.of(a);
        TestClient clientB = clientA.at(b.baseUrl());
        String token = clientA.post("/api/v1/tokens", "{\"name\":\"r\"}").as(TokenCreated.class).token();
        TestDelegate slow = new TestDelegate("inst-a");
        TestDelegate fast = new TestDelegate("inst-b");
        try {
          slow.connect(clientA.http, a.baseUrl(), token, 2, List.of());
          fast.connect(clientA.http, b.baseUrl(), token, 2, List.of());
          Function<Frame.TaskAssigned, Frame.TaskResult> answer = script();
          slow.runWith(task -> {
            if (TaskTypes.EXECUTE_STEP.equals(task.taskType())) {
              ranBy.merge("a", 1, Integer::sum);
            } else if (!TaskTypes.INIT_STAGE.equals(task.taskType())) {
              return answer.apply(task);
            }
            later.schedule(() -> slow.send(answer.apply(task)), 1500, java.util.concurrent.TimeUnit.MILLISECONDS);
            return null;
          });
          fast.runWith(task -> {
            if (TaskTypes.EXECUTE_STEP.equals(task.taskType())) {
              ranBy.merge("b", 1, Integer::sum);
            }
            return answer.apply(task);
          });
          assertThat(clientA.put("/api/v1/environments/tenants", "{\"order\": 1}").code()).isEqualTo(201);
          for (int i = 0; i < 8; i++) {
            String name = String.format("tenant-%02d", i);
            assertThat(clientA.put("/api/v1/targets/" + name, Map.of("environment", "tenants",
                "url", "jdbc:postgresql://db-" + i + ":5432/" + name, "labels", Map.of("tier", "tenant")))
                .code()).isEqualTo(201);
          }
          Pipeline pipeline = new Pipeline("fleet", List.of(new Stage("tenants", null,
              List.of(Fixtures.step("apply", "apply")), List.of(), 0, null, null, null, null, null, "tier=tenant",
              new Rollout(0, List.of("rest"), 4, null, "1"), null)));
          TestClient.Reply submitted = clientA.post("/api/v1/executions", pipeline);
          assertThat(submitted.code()).as(submitted.body()).isEqualTo(201);
          String id = submitted.json().get("id").asText();
          await().atMost(Duration.ofSeconds(90)).until(() -> clientA.get("/api/v1/executions/" + id)
              .as(ExecutionView.class).finished());
          ExecutionView done = clientA.get("/api/v1/executions/" + id).as(ExecutionView.class);
          assertThat(done.status()).as(done.error()).isEqualTo("SUCCEEDED");
          assertThat(applies).hasSize(8).allSatisfy((target, n) -> assertThat(n).isEqualTo(1));
          assertThat(ranBy).as("targets applied per delegate").containsKeys("a", "b");
        } finally {
          slow.close();
          fast.close();
          later.shutdownNow();
        }
      }
    }
  }
}
