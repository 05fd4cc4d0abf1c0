package io.dbops.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.api.ExecutionView;
import io.dbops.api.TokenCreated;
import io.dbops.protocol.Frame;
import io.dbops.protocol.InitStageOutput;
import io.dbops.protocol.StepOutput;
import io.dbops.protocol.TaskStatus;
import io.dbops.protocol.TaskTypes;
import io.dbops.support.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Migration state through the real control plane and a scripted delegate whose "databases" are
 * lists of history rows: recording from apply and history outputs, the state, grid and diff
 * reads, refresh, the drift gate, access rules and bad input. The end-to-end version with real
 * databases and a real delegate is e2e-tests' FleetStateIT.
 */
class StateIT {
  @TempDir Path dataDir;
  ControlPlane controlPlane;
  TestClient admin;
  TestDelegate delegate;
  /** Per database URL, its DATABASECHANGELOG rows (as the step runtime reports them). */
  final Map<String, List<Map<String, Object>>> databases = new ConcurrentHashMap<>();
  volatile int driftCount;

  @BeforeEach
  void start() throws Exception {
    controlPlane = new ControlPlane(Fixtures.config(dataDir));
    controlPlane.start();
    admin = TestClient.of(controlPlane);
    String token = admin.post("/api/v1/tokens", "{\"name\":\"d\"}").as(TokenCreated.class).token();
    delegate = new TestDelegate("inst-state");
    delegate.connect(admin.http, controlPlane.baseUrl(), token, 4, List.of());
    delegate.runWith(script());
    String doc = """
        apiVersion: dbops/v1
        environments:
          - name: staging
            order: 1
          - name: prod
            order: 2
            protection:
              driftGate: true
        targets:
          - {name: stg-1, environment: staging, url: "jdbc:h2:mem:stg1"}
          - {name: stg-2, environment: staging, url: "jdbc:h2:mem:stg2"}
          - {name: prod-1, environment: prod, url: "jdbc:h2:mem:prod1"}
        """;
    TestClient.Reply applied = yaml(doc);
    assertThat(applied.code()).as(applied.body()).isEqualTo(200);
  }

  private TestClient.Reply yaml(String doc) {
    try (okhttp3.Response r = admin.http.newCall(new okhttp3.Request.Builder()
        .url(controlPlane.baseUrl() + "/api/v1/apply?baseDirectory=/r")
        .header("Authorization", "Bearer " + controlPlane.adminToken())
        .post(okhttp3.RequestBody.create(doc, okhttp3.MediaType.get("application/yaml"))).build()).execute()) {
      return new TestClient.Reply(r.code(), r.body() == null ? "" : r.body().string());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @AfterEach
  void stop() {
    delegate.close();
    controlPlane.close();
  }

  /** apply appends changeset "c<N>" rows per the changelog name; history/status/drift report. */
  private Function<Frame.TaskAssigned, Frame.TaskResult> script() {
    return a -> switch (a.taskType()) {
      case TaskTypes.INIT_STAGE -> new Frame.TaskResult(a.taskId(), a.attempt(), TaskStatus.SUCCEEDED, null,
          Json.tree(new InitStageOutput(a.payload().get("podName").asText(), "127.0.0.1:40123",
              List.of(20002, 20003, 20004, 20005, 20006, 20007))));
      case TaskTypes.EXECUTE_STEP -> {
        JsonNode step = a.payload().path("step");
        String url = step.path("jdbcUrl").asText();
        List<Map<String, Object>> rows = databases.computeIfAbsent(url, k -> new ArrayList<>());
        Map<String, String> outputs = new java.util.LinkedHashMap<>();
        List<StepOutput.ChangeSet> changesets = new ArrayList<>();
        String changelog = step.path("changelog").asText();
        switch (step.path("kind").asText()) {
          case "apply" -> {
            String deployment = Long.toString(1_000_000_000L + rows.size());
            for (String id : changelog.replace(".xml", "").split("\\+")) {
              if (rows.stream().noneMatch(r -> id.equals(r.get("id")))) {
                rows.add(row(id, "dev", deployment, rows.size() + 1, ""));
                changesets.add(new StepOutput.ChangeSet(id, "dev", "db.xml", "EXECUTED", 1, 1));
              }
            }
            outputs.put("historyCount", Integer.toString(rows.size()));
            outputs.put("history", Json.write(rows));
          }
          case "history" -> {
            outputs.put("count", Integer.toString(rows.size()));
            outputs.put("history", Json.write(rows));
          }
          case "drift" -> {
            outputs.put("driftCount", Integer.toString(driftCount));
            outputs.put("drift", driftCount == 0 ? "[]" : Json.write(List.of(Map.of("change", "extra",
                "objectType", "column", "table", "person", "name", "nickname", "expected", "",
                "actual", "varchar(50) NULL"))));
          }
          default -> { }
        }
        yield new Frame.TaskResult(a.taskId(), a.attempt(), TaskStatus.SUCCEEDED, null,
            Json.tree(new StepOutput("SUCCEEDED", null, outputs, changesets, 5, 1, 0)));
      }
      default -> new Frame.TaskResult(a.taskId(), a.attempt(), TaskStatus.SUCCEEDED, null, null);
    };
  }

  private static Map<String, Object> row(String id, String author, String deployment, int order, String tag) {
    Map<String, Object> r = new java.util.LinkedHashMap<>();
    r.put("id", id);
    r.put("author", author);
    r.put("file", "db.xml");
    r.put("dateExecuted", "2026-12-07T10:00:00.000");
    r.put("orderExecuted", order);
    r.put("execType", "EXECUTED");
    r.put("tag", tag);
    r.put("deploymentId", deployment);
    r.put("checksum", "9:" + id);
    return r;
  }

  private String run(String target, String changelog) {
    String pipeline = "{\"name\":\"deploy\",\"stages\":[{\"name\":\"s\",\"target\":\"" + target + "\",\"steps\":"
        + "[{\"name\":\"apply\",\"type\":\"apply\",\"changelog\":\"" + changelog + "\",\"searchPath\":\"/r\"}]}]}";
    TestClient.Reply reply = admin.post("/api/v1/executions", pipeline);
    assertThat(reply.code()).as(reply.body()).isEqualTo(201);
    return reply.json().path("id").asText();
  }

  private void awaitStatus(String id, String status) {
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
        admin.get("/api/v1/executions/" + id).as(ExecutionView.class).status()).isEqualTo(status));
  }

  private JsonNode state(String target) {
    return admin.get("/api/v1/targets/" + target + "/state").json();
  }

  @Test
  void anApplyRecordsTheTargetsHistoryLinkedToItsExecutionAndRowsFromOutsideStayUnlinked() {
    databases.put("jdbc:h2:mem:stg1", new ArrayList<>(List.of(row("byhand", "ops", "999", 1, "base"))));
    String id = run("stg-1", "c1+c2.xml");
    awaitStatus(id, "SUCCEEDED");

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(state("stg-1").path("lastDeployment")
        .path("executionId").asText()).isEqualTo(id));
    JsonNode s = state("stg-1");
    assertThat(s.path("environment").asText()).isEqualTo("staging");
    assertThat(s.path("refreshedAt").isTextual()).isTrue();
    List<String> rows = new ArrayList<>();
    s.path("changesets").forEach(c -> rows.add(c.path("id").asText() + "@" + c.path("executionId").asText("-")));
    assertThat(rows).containsExactly("byhand@-", "c1@" + id, "c2@" + id); // null: applied outside dbops
    assertThat(s.path("tags").toString()).isEqualTo("[\"base\"]");
    assertThat(s.path("lastDeployment").path("status").asText()).isEqualTo("SUCCEEDED");
    assertThat(s.path("lastDeployment").path("pipeline").asText()).isEqualTo("deploy");
    assertThat(s.path("drift").path("status").asText()).isEqualTo("unknown");
    assertThat(s.path("pending").get(0).path("pipeline").asText()).isEqualTo("deploy");
    assertThat(s.path("pending").get(0).path("changesets")).isEmpty();

    // the execution keeps the count, not the rows
    ExecutionView view = admin.get("/api/v1/executions/" + id).as(ExecutionView.class);
    Map<String, String> out = view.stages().get(0).steps().get(0).output().outputs();
    assertThat(out).containsEntry("historyCount", "3").doesNotContainKey("history");
  }

  @Test
  void theGridAndTheDiffShowWhatIsWhereAndARefreshPicksUpChangesMadeOutsideDbops() {
    awaitStatus(run("stg-1", "c1+c2+c3.xml"), "SUCCEEDED");
    awaitStatus(run("stg-2", "c1+c2.xml"), "SUCCEEDED");
    // prod-1 got c1 by hand only (outside dbops): a refresh finds it
    databases.put("jdbc:h2:mem:prod1", new ArrayList<>(List.of(row("c1", "dev", "5", 1, ""),
        row("hotfix", "ops", "6", 2, ""))));
    TestClient.Reply refresh = admin.post("/api/v1/environments/prod/refresh", "{}");
    assertThat(refresh.code()).as(refresh.body()).isEqualTo(202);
    String refreshId = refresh.json().path("executionId").asText();
    awaitStatus(refreshId, "SUCCEEDED");
    ExecutionView refreshView = admin.get("/api/v1/executions/" + refreshId).as(ExecutionView.class);
    assertThat(refreshView.origin().source()).isEqualTo("refresh");
    assertThat(refreshView.stages()).extracting(ExecutionView.StageView::target).containsExactly("target prod-1");

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(state("prod-1").path("changesets"))
        .hasSize(2));
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(state("stg-2").path("changesets"))
        .hasSize(2));

    JsonNode diff = admin.get("/api/v1/diff?from=staging&to=prod").json();
    Map<String, String> byTarget = new java.util.HashMap<>();
    diff.path("targets").forEach(t -> byTarget.put(t.path("target").asText(),
        ids(t.path("missing")) + "|" + ids(t.path("extra"))));
    assertThat(byTarget).containsEntry("prod-1", "c2,c3|hotfix")
        // U(prod) = {c1, hotfix}: each staging target misses hotfix and has extra what prod lacks
        .containsEntry("stg-1", "hotfix|c2,c3").containsEntry("stg-2", "hotfix|c2")
        .hasSize(3);

    JsonNode grid = admin.get("/api/v1/environments/staging/state").json();
    assertThat(grid.path("targets")).hasSize(2);
    assertThat(grid.path("cells").path("stg-2").path("db.xml::c3::dev").isMissingNode()).isTrue();
    assertThat(grid.path("cells").path("stg-1").path("db.xml::c3::dev").asText()).isEqualTo("applied");
    assertThat(grid.path("changesets").get(0).path("key").asText()).isEqualTo("db.xml::c1::dev");
  }

  private static String ids(JsonNode refs) {
    List<String> ids = new ArrayList<>();
    refs.forEach(r -> ids.add(r.path("id").asText()));
    return String.join(",", ids);
  }

  @Test
  void theDriftGateLetsACleanTargetThroughAndBlocksADriftedOneUntilAnApproverOverrides() throws Exception {
    String approver = AccessFixture.token(admin, "bob", "approver");
    driftCount = 0;
    String clean = run("prod-1", "c1.xml");
    awaitStatus(clean, "SUCCEEDED");
    ExecutionView cleanView = admin.get("/api/v1/executions/" + clean).as(ExecutionView.class);
    assertThat(cleanView.stages().get(0).steps()).extracting(ExecutionView.StepView::name, ExecutionView.StepView::status)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("drift-gate", "SUCCEEDED"),
            org.assertj.core.groups.Tuple.tuple("drift-override", "SUCCEEDED"),
            org.assertj.core.groups.Tuple.tuple("apply", "SUCCEEDED"));
    assertThat(cleanView.stages().get(0).steps().get(1).output().outputs()).containsEntry("drift", "none");

    driftCount = 1;
    String drifted = run("prod-1", "c1+c2.xml");
    awaitStatus(drifted, "WAITING_APPROVAL");
    JsonNode approval = admin.get("/api/v1/executions/" + drifted + "/approvals").json().get(0);
    assertThat(approval.path("step").asText()).isEqualTo("drift-override");
    assertThat(approval.path("policies").get(0).path("outputs").path("driftCount").asText()).isEqualTo("1");
    assertThat(approval.path("policies").get(0).path("outputs").path("drift").asText()).contains("nickname");
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      JsonNode d = state("prod-1").path("drift");
      assertThat(d.path("status").asText()).isEqualTo("drifted");
      assertThat(d.path("differences").get(0).asText()).isEqualTo("extra column person.nickname: varchar(50) NULL");
    });
    assertThat(databases.get("jdbc:h2:mem:prod1")).hasSize(1); // c2 not applied while blocked

    TestClient.Reply ok = admin.post("/api/v1/executions/" + drifted + "/approvals",
        Json.write(Map.of("decision", "approve", "comment", "column added for the hotfix, expected")), approver);
    assertThat(ok.code()).as(ok.body()).isEqualTo(200);
    awaitStatus(drifted, "SUCCEEDED");
    assertThat(databases.get("jdbc:h2:mem:prod1")).hasSize(2);
    // the changeset the override let through is linked to that execution and its approver
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      JsonNode c2 = state("prod-1").path("changesets").get(1);
      assertThat(c2.path("id").asText()).isEqualTo("c2");
      assertThat(c2.path("executionId").asText()).isEqualTo(drifted);
      assertThat(c2.path("approvedBy").toString()).isEqualTo("[\"bob\"]");
    });
    String audit = admin.get("/api/v1/audit?action=drift.override&limit=10").body();
    assertThat(audit).contains("drift.override").contains("bob").contains("column added for the hotfix");

    String rejected = run("prod-1", "c1+c2+c3.xml");
    awaitStatus(rejected, "WAITING_APPROVAL");
    assertThat(admin.post("/api/v1/executions/" + rejected + "/approvals",
        Json.write(Map.of("decision", "reject", "comment", "investigate first")), approver).code()).isEqualTo(200);
    awaitStatus(rejected, "FAILED");
    assertThat(admin.get("/api/v1/executions/" + rejected).as(ExecutionView.class).error())
        .contains("Drift blocked the apply").contains("investigate first");
    assertThat(databases.get("jdbc:h2:mem:prod1")).hasSize(2);
  }

  @Test
  void readsNeedVerbReadRefreshesVerbRunAndBadInputGetsAClearError() throws Exception {
    String viewer = AccessFixture.token(admin, "vic", "viewer");
    String deployer = AccessFixture.token(admin, "dan", "deployer");
    // a token whose verbs exclude read
    String none = AccessFixture.token(admin, "runner", List.of("deployer"), List.of(), List.of("run"));
    assertThat(admin.get("/api/v1/targets/stg-1/state", viewer).code()).isEqualTo(200);
    assertThat(admin.get("/api/v1/environments/staging/state", viewer).code()).isEqualTo(200);
    assertThat(admin.get("/api/v1/diff?from=staging&to=prod", viewer).code()).isEqualTo(200);
    TestClient.Reply refused = admin.get("/api/v1/targets/stg-1/state", none);
    assertThat(refused.code()).isEqualTo(403);
    assertThat(refused.body()).contains("read");
    assertThat(admin.get("/api/v1/diff?from=staging&to=prod", none).code()).isEqualTo(403);
    assertThat(admin.post("/api/v1/targets/stg-1/refresh", "{}", viewer).code()).isEqualTo(403);
    assertThat(admin.post("/api/v1/targets/stg-1/refresh", "{}", deployer).code()).isEqualTo(202);

    TestClient.Reply unknown = admin.get("/api/v1/targets/nope/state");
    assertThat(unknown.code()).isEqualTo(404);
    assertThat(unknown.body()).contains("No target 'nope'").contains("dbops get targets");
    assertThat(admin.get("/api/v1/environments/nope/state").body()).contains("No environment 'nope'");
    assertThat(admin.get("/api/v1/environments/nope/state").code()).isEqualTo(404);
    assertThat(admin.post("/api/v1/targets/nope/refresh", "{}").code()).isEqualTo(404);
    TestClient.Reply noFrom = admin.get("/api/v1/diff?to=prod");
    assertThat(noFrom.code()).isEqualTo(400);
    assertThat(noFrom.body()).contains("'from'").doesNotContain("'to' is required");
    assertThat(admin.get("/api/v1/diff?from=staging&to=nope").code()).isEqualTo(404);
  }
}
