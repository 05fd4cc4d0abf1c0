package io.dbops.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.api.ExecutionView;
import io.dbops.api.RolloutView;
import io.dbops.api.TokenCreated;
import io.dbops.pipeline.ApprovalRule;
import io.dbops.pipeline.Pipeline;
import io.dbops.pipeline.Rollout;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rollout stages through the real control plane and a scripted delegate (docs/fleet-rollouts.md):
 * 20 stored targets on two database hosts, canary then waves, failures against the budget, retry of
 * the failed targets, and one approval for every target with the same SQL.
 */
class RolloutFlowIT {
  private static final String HASH = "ab".repeat(32);
  private static final String OTHER_HASH = "cd".repeat(32);

  @TempDir Path dataDir;
  ControlPlane controlPlane;
  TestClient admin;
  TestDelegate delegate;
  /** Targets (by database name) whose apply fails. */
  final Set<String> failing = ConcurrentHashMap.newKeySet();
  /** Targets whose preview shows other SQL. */
  final Set<String> otherSql = ConcurrentHashMap.newKeySet();
  /** Applies run, per database name. */
  final Map<String, Integer> applies = new ConcurrentHashMap<>();
  /** The reuseKey of every init_stage task, per pod name ("" for none). */
  final Map<String, String> reuseKeys = new ConcurrentHashMap<>();

  @BeforeEach
  void start() throws Exception {
    controlPlane = new ControlPlane(Fixtures.config(dataDir));
    controlPlane.start();
    admin = TestClient.of(controlPlane);
    String token = admin.post("/api/v1/tokens", "{\"name\":\"d\"}").as(TokenCreated.class).token();
    delegate = new TestDelegate("inst-rollouts");
    delegate.connect(admin.http, controlPlane.baseUrl(), token, 8, List.of());
    delegate.runWith(script());
    assertThat(admin.put("/api/v1/environments/tenants", "{\"order\": 1}").code()).isEqualTo(201);
    for (int i = 0; i < 20; i++) {
      String host = i % 2 == 0 ? "db-a:5432" : "db-b:5432";
      TestClient.Reply put = admin.put("/api/v1/targets/" + name(i), Map.of("environment", "tenants",
          "url", "jdbc:postgresql://" + host + "/" + name(i), "username", "app",
          "labels", Map.of("tier", "tenant", "region", i < 20 ? "eu" : "us")));
      assertThat(put.code()).as(put.body()).isEqualTo(201);
    }
    admin.put("/api/v1/targets/other", Map.of("environment", "tenants", "url", "jdbc:postgresql://db-a:5432/other",
        "labels", Map.of("tier", "internal")));
  }

  @AfterEach
  void stop() {
    delegate.close();
    controlPlane.close();
  }

  private static String name(int i) {
    return String.format("tenant-%02d", i);
  }

  private Function<Frame.TaskAssigned, Frame.TaskResult> script() {
    return a -> switch (a.taskType()) {
      case TaskTypes.INIT_STAGE -> {
        reuseKeys.put(a.payload().get("podName").asText(), a.payload().path("reuseKey").asText(""));
        yield new Frame.TaskResult(a.taskId(), a.attempt(), TaskStatus.SUCCEEDED, null,
            Json.tree(new InitStageOutput(a.payload().get("podName").asText(), "127.0.0.1:40123",
                List.of(20002, 20003, 20004, 20005))));
      }
      case TaskTypes.EXECUTE_STEP -> {
        JsonNode step = a.payload().path("step");
        String url = step.path("jdbcUrl").asText();
        String db = url.substring(url.lastIndexOf('/') + 1);
        String kind = step.path("kind").asText();
        if ("apply".equals(kind)) {
          applies.merge(db, 1, Integer::sum);
          if (failing.contains(db)) {
            yield new Frame.TaskResult(a.taskId(), a.attempt(), TaskStatus.SUCCEEDED, null,
                Json.tree(new StepOutput("FAILED", "injected failure on " + db, Map.of(), List.of(), 5, 0, 0)));
          }
        }
        Map<String, String> outputs = "preview".equals(kind)
            ? Map.of("sql", "ALTER TABLE t ADD c INT;", "sqlHash", otherSql.contains(db) ? OTHER_HASH : HASH)
            : Map.of();
        yield new Frame.TaskResult(a.taskId(), a.attempt(), TaskStatus.SUCCEEDED, null,
            Json.tree(new StepOutput("SUCCEEDED", null, outputs, List.of(), 5, 1, 0)));
      }
      default -> new Frame.TaskResult(a.taskId(), a.attempt(), TaskStatus.SUCCEEDED, null, null);
    };
  }

  private static Pipeline pipeline(Rollout rollout, boolean approval) {
    List<Step> steps = new ArrayList<>();
    if (approval) {
      steps.add(Fixtures.step("preview", "preview"));
      steps.add(new Step("approve", "approval", null, null, null, null, null, null, null, null, null, null,
          null, null, null, null, null, null, null, null, null, new ApprovalRule(1, List.of(), List.of(), false, 900)));
    }
    steps.add(Fixtures.step("apply", "apply"));
    return new Pipeline("fleet", List.of(new Stage("tenants", null, steps, List.of(), 0, null, null, null, null,
        null, "tier=tenant,region=eu", rollout, null)));
  }

  private String submit(Pipeline pipeline) {
    TestClient.Reply reply = admin.post("/api/v1/executions", pipeline);
    assertThat(reply.code()).as(reply.body()).isEqualTo(201);
    return reply.json().get("id").asText();
  }

  private ExecutionView view(String id) {
    return admin.get("/api/v1/executions/" + id).as(ExecutionView.class);
  }

  private ExecutionView awaitFinished(String id) {
    await().atMost(Duration.ofSeconds(60)).until(() -> view(id).finished());
    return view(id);
  }

  private static RolloutView rollout(ExecutionView view) {
    return view.stages().get(0).rollout();
  }

  private static Map<String, String> statuses(RolloutView r) {
    Map<String, String> out = new HashMap<>();
    r.targets().forEach(t -> out.put(t.target(), t.status()));
    return out;
  }

  @Test
  void theTargetsShareAReuseKeyForTheirPodsOnlyWhenTheRolloutReusesPods() {
    String separate = submit(pipeline(new Rollout(1, List.of("rest"), 5, null, "2"), false));
    assertThat(awaitFinished(separate).status()).isEqualTo("SUCCEEDED");
    assertThat(reuseKeys).hasSize(20).allSatisfy((pod, key) -> assertThat(key).isEmpty());

    reuseKeys.clear();
    String reused = submit(pipeline(new Rollout(1, List.of("rest"), 5, null, "2", true), false));
    ExecutionView done = awaitFinished(reused);
    assertThat(done.status()).as(done.error()).isEqualTo("SUCCEEDED");
    assertThat(reuseKeys).hasSize(20).allSatisfy((pod, key) -> assertThat(key).isEqualTo("rollout:" + reused + ":tenants"));
    assertThat(applies).hasSize(20).allSatisfy((db, n) -> assertThat(n).isEqualTo(2));
  }

  @Test
  void theCanaryRunsFirstAndAloneThenWavesOfFiveWithThreePerHost() {
    String id = submit(pipeline(new Rollout(1, List.of("5"), 6, 3, "2"), false));
    ExecutionView done = awaitFinished(id);
    assertThat(done.status()).as(done.error()).isEqualTo("SUCCEEDED");
    RolloutView r = rollout(done);
    assertThat(r.group()).isEqualTo("tier=tenant,region=eu");
    assertThat(r.targets()).hasSize(20).extracting(RolloutView.TargetView::target).doesNotContain("other");
    assertThat(r.counts()).isEqualTo(new RolloutView.Counts(0, 0, 20, 0, 0, 0));
    assertThat(r.targets().get(0).wave()).isZero();
    assertThat(r.targets()).extracting(RolloutView.TargetView::wave)
        .containsExactly(0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 4, 4, 4, 4);
    // each target applied exactly once, each by its own child execution, linked to the rollout
    assertThat(applies).hasSize(20).allSatisfy((db, n) -> assertThat(n).isEqualTo(1));
    Map<String, ExecutionView> children = new HashMap<>();
    for (RolloutView.TargetView t : r.targets()) {
      ExecutionView child = view(t.executionId());
      assertThat(child.status()).isEqualTo("SUCCEEDED");
      assertThat(child.origin().source()).isEqualTo("rollout");
      assertThat(child.origin().parentId()).isEqualTo(id);
      assertThat(child.origin().parentStage()).isEqualTo("tenants");
      assertThat(child.stages().get(0).target()).isEqualTo("target " + t.target());
      children.put(t.target(), child);
    }
    // the canary finished before any other target's execution was created
    Instant canaryEnd = children.get(name(0)).finishedAt();
    children.forEach((target, child) -> {
      if (!target.equals(name(0))) {
        assertThat(child.createdAt()).isAfterOrEqualTo(canaryEnd);
      }
    });
    // a wave starts only after the previous one finished
    for (RolloutView.TargetView t : r.targets()) {
      for (RolloutView.TargetView earlier : r.targets()) {
        if (earlier.wave() < t.wave()) {
          assertThat(children.get(t.target()).createdAt()).isAfterOrEqualTo(children.get(earlier.target()).finishedAt());
        }
      }
    }
    // never more than 3 running at once on one host
    for (String host : List.of("db-a:5432", "db-b:5432")) {
      List<ExecutionView> onHost = r.targets().stream().filter(t -> host.equals(t.host()))
          .map(t -> children.get(t.target())).toList();
      assertThat(onHost).hasSize(10);
      for (ExecutionView c : onHost) {
        long overlapping = onHost.stream().filter(o -> !o.createdAt().isAfter(c.createdAt())
            && o.finishedAt().isAfter(c.createdAt())).count();
        assertThat(overlapping).isLessThanOrEqualTo(3);
      }
    }
    // children stay out of the default list, but are listed on request
    List<String> listed = admin.get("/api/v1/executions?limit=500").json().findValuesAsText("id");
    assertThat(listed).contains(id).doesNotContainAnyElementsOf(children.values().stream().map(ExecutionView::id).toList());
    assertThat(admin.get("/api/v1/executions?limit=500&children=true").json().findValuesAsText("id"))
        .containsAll(children.values().stream().map(ExecutionView::id).toList());
  }

  @Test
  void aCanaryFailureStopsTheRolloutWithNothingElseTouched() {
    failing.add(name(0));
    String id = submit(pipeline(new Rollout(1, List.of("5"), 5, 3, "5"), false));
    ExecutionView done = awaitFinished(id);
    assertThat(done.status()).isEqualTo("FAILED");
    assertThat(done.error()).contains("the canary failed");
    RolloutView r = rollout(done);
    assertThat(r.counts()).isEqualTo(new RolloutView.Counts(0, 0, 0, 1, 0, 19));
    assertThat(r.targets().get(0).error()).contains("injected failure on " + name(0));
    assertThat(r.targets().subList(1, 20)).allSatisfy(t -> {
      assertThat(t.status()).isEqualTo("SKIPPED");
      assertThat(t.executionId()).isNull();
      assertThat(t.error()).isEqualTo("not started: the canary failed");
    });
    assertThat(applies.keySet()).containsExactly(name(0));
  }

  @Test
  void twoFailuresSpendABudgetOfTwoAndRetryRunsJustTheFailedTargets() {
    failing.add(name(2));
    failing.add(name(4));
    String id = submit(pipeline(new Rollout(1, List.of("5"), 5, 3, "2"), false));
    ExecutionView done = awaitFinished(id);
    assertThat(done.status()).isEqualTo("FAILED");
    RolloutView r = rollout(done);
    Map<String, String> statuses = statuses(r);
    assertThat(statuses.get(name(2))).isEqualTo("FAILED");
    assertThat(statuses.get(name(4))).isEqualTo("FAILED");
    // the first wave (tenant-01..05) finished; nothing after it started
    for (int i = 0; i < 6; i++) {
      if (i != 2 && i != 4) {
        assertThat(statuses.get(name(i))).isEqualTo("SUCCEEDED");
      }
    }
    for (int i = 6; i < 20; i++) {
      assertThat(statuses.get(name(i))).isEqualTo("SKIPPED");
    }
    assertThat(r.counts()).isEqualTo(new RolloutView.Counts(0, 0, 4, 2, 0, 14));
    assertThat(applies).hasSize(6);

    // a running rollout cannot be retried; a bad body names the field
    assertThat(admin.post("/api/v1/executions/" + id + "/retry", "{\"failedOnly\":\"yes\"}").code()).isEqualTo(400);
    assertThat(admin.post("/api/v1/executions/nope/retry", "{\"failedOnly\":true}").code()).isEqualTo(404);

    failing.clear();
    TestClient.Reply retry = admin.post("/api/v1/executions/" + id + "/retry", "{\"failedOnly\":true}");
    assertThat(retry.code()).as(retry.body()).isEqualTo(201);
    String retryId = retry.json().get("id").asText();
    ExecutionView retried = awaitFinished(retryId);
    assertThat(retried.status()).as(retried.error()).isEqualTo("SUCCEEDED");
    assertThat(rollout(retried).targets()).extracting(RolloutView.TargetView::target)
        .containsExactly(name(2), name(4));
    assertThat(applies.get(name(2))).isEqualTo(2);
    assertThat(applies.get(name(4))).isEqualTo(2);
    assertThat(applies).hasSize(6);
    // the audit log names the retry
    assertThat(admin.get("/api/v1/audit?action=execution.retry").body()).contains(retryId);
    // a retry of a rollout with nothing failed is refused
    assertThat(admin.post("/api/v1/executions/" + retryId + "/retry", "{\"failedOnly\":true}").code())
        .isEqualTo(409);
  }

  @Test
  void oneApprovalCoversEveryTargetWithTheSameSqlAndADifferentSqlNeedsItsOwn() throws Exception {
    otherSql.add(name(7));
    String approver = AccessFixture.token(admin, "bob", "approver");
    String id = submit(pipeline(new Rollout(1, List.of("5"), 5, 3, "2"), true));
    await().atMost(Duration.ofSeconds(60)).until(() -> rollout(view(id)) != null
        && rollout(view(id)).waitingApproval() == 1);
    RolloutView waiting = rollout(view(id));
    RolloutView.TargetView canary = waiting.targets().get(0);
    assertThat(canary.status()).isEqualTo("WAITING_APPROVAL");
    assertThat(canary.sqlHash()).isEqualTo(HASH);
    assertThat(canary.ownApproval()).isFalse();
    TestClient.Reply decided = admin.post("/api/v1/executions/" + canary.executionId() + "/approvals",
        Json.write(Map.of("decision", "approve", "comment", "fleet ok")), approver);
    assertThat(decided.code()).as(decided.body()).isEqualTo(200);

    // the other targets of waves 1 and 2 with the same SQL run without a decision; tenant-07 waits
    // for its own, and holds back waves 3 and 4 meanwhile
    await().atMost(Duration.ofSeconds(60)).until(() -> "WAITING_APPROVAL".equals(statuses(rollout(view(id))).get(name(7)))
        && rollout(view(id)).counts().running() == 1 && rollout(view(id)).counts().succeeded() == 10);
    RolloutView r = rollout(view(id));
    assertThat(r.counts().queued()).isEqualTo(9);
    RolloutView.TargetView seven = r.targets().get(7);
    assertThat(seven.ownApproval()).isTrue();
    assertThat(seven.sqlHash()).isEqualTo(OTHER_HASH);
    assertThat(r.waitingApproval()).isEqualTo(1);
    // a covered target's log and audit name the decision that covered it
    String covered = r.targets().get(3).executionId();
    assertThat(admin.get("/api/v1/executions/" + covered + "/logs").body())
        .contains("covered by that decision").contains(canary.executionId());
    assertThat(admin.get("/api/v1/audit?action=approval.covered").body()).contains(covered);

    // rejecting tenant-07 fails it (one failure, within the budget of 2): the rest goes on
    TestClient.Reply own = admin.post("/api/v1/executions/" + seven.executionId() + "/approvals",
        Json.write(Map.of("decision", "reject", "comment", "not this SQL")), approver);
    assertThat(own.code()).as(own.body()).isEqualTo(200);
    ExecutionView done = awaitFinished(id);
    assertThat(done.status()).isEqualTo("FAILED");
    RolloutView end = rollout(done);
    assertThat(end.counts()).isEqualTo(new RolloutView.Counts(0, 0, 19, 1, 0, 0));
    assertThat(statuses(end).get(name(7))).isEqualTo("FAILED");
    assertThat(end.targets()).filteredOn(t -> !t.target().equals(name(7))).allSatisfy(t -> {
      assertThat(t.status()).isEqualTo("SUCCEEDED");
      assertThat(t.approvedBy()).containsExactly("bob");
      assertThat(t.ownApproval()).isFalse();
    });
    assertThat(applies).hasSize(19).doesNotContainKey(name(7));
  }

  @Test
  void aRolloutContinuesAfterTheControlPlaneRestarts() throws Exception {
    String approver = AccessFixture.token(admin, "bob", "approver");
    String id = submit(pipeline(new Rollout(1, List.of("5"), 5, 3, "2"), true));
    await().atMost(Duration.ofSeconds(60)).until(() -> rollout(view(id)) != null
        && rollout(view(id)).waitingApproval() == 1);
    String canary = rollout(view(id)).targets().get(0).executionId();
    delegate.close();
    controlPlane.close();

    controlPlane = new ControlPlane(Fixtures.config(dataDir));
    controlPlane.start();
    admin = admin.at(controlPlane.baseUrl());
    String token = admin.post("/api/v1/tokens", "{\"name\":\"d2\"}").as(TokenCreated.class).token();
    delegate = new TestDelegate("inst-rollouts"); // the same instance: the canary's pod is there
    delegate.connect(admin.http, controlPlane.baseUrl(), token, 8, List.of());
    delegate.runWith(script());
    assertThat(rollout(view(id)).targets().get(0).status()).isEqualTo("WAITING_APPROVAL");
    TestClient.Reply decided = admin.post("/api/v1/executions/" + canary + "/approvals",
        Json.write(Map.of("decision", "approve")), approver);
    assertThat(decided.code()).as(decided.body()).isEqualTo(200);
    ExecutionView done = awaitFinished(id);
    assertThat(done.status()).as(done.error()).isEqualTo("SUCCEEDED");
    assertThat(rollout(done).counts()).isEqualTo(new RolloutView.Counts(0, 0, 20, 0, 0, 0));
    assertThat(applies).hasSize(20).allSatisfy((db, n) -> assertThat(n).isEqualTo(1));
  }

  @Test
  void aDecisionUnderOneEnvironmentsRuleDoesNotCoverAStricterEnvironment() throws Exception {
    String approver = AccessFixture.token(admin, "bob", "approver");
    assertThat(admin.put("/api/v1/environments/strict",
        "{\"order\": 2, \"protection\": {\"approval\": {\"required\": 2, \"timeoutSeconds\": 900}}}").code())
        .isEqualTo(201);
    admin.put("/api/v1/targets/mixed-a", Map.of("environment", "tenants", "url", "jdbc:postgresql://db-a:5432/mixed-a",
        "labels", Map.of("tier", "mixed")));
    admin.put("/api/v1/targets/mixed-b", Map.of("environment", "strict", "url", "jdbc:postgresql://db-a:5432/mixed-b",
        "labels", Map.of("tier", "mixed")));
    Step approve = new Step("approve", "approval", null, null, null, null, null, null, null, null, null, null,
        null, null, null, null, null, null, null, null, null, null);
    Pipeline mixed = new Pipeline("mixed", List.of(new Stage("mixed", null, List.of(Fixtures.step("preview", "preview"),
        approve, Fixtures.step("apply", "apply")), List.of(), 0, null, null, null, null, null, "tier=mixed",
        new Rollout(1, List.of("rest"), 5, null, "2"), null)));
    String id = submit(mixed);
    await().atMost(Duration.ofSeconds(60)).until(() -> rollout(view(id)) != null
        && rollout(view(id)).waitingApproval() == 1);
    String first = rollout(view(id)).targets().get(0).executionId();
    assertThat(admin.post("/api/v1/executions/" + first + "/approvals",
        Json.write(Map.of("decision", "approve")), approver).code()).isEqualTo(200);
    // the same SQL, but mixed-b's environment needs two approvers: it waits for its own decisions
    await().atMost(Duration.ofSeconds(60)).until(() -> "WAITING_APPROVAL".equals(
        statuses(rollout(view(id))).get("mixed-b")) && "SUCCEEDED".equals(statuses(rollout(view(id))).get("mixed-a")));
    String second = rollout(view(id)).targets().get(1).executionId();
    assertThat(view(second).status()).isEqualTo("WAITING_APPROVAL");
    assertThat(applies).containsOnlyKeys("mixed-a");
    admin.post("/api/v1/executions/" + second + "/abort", "{}");
    assertThat(awaitFinished(id).status()).isEqualTo("FAILED");
  }

  @Test
  void aGroupMatchingNoTargetIsRefusedNamingTheSelector() {
    Pipeline none = new Pipeline("fleet", List.of(new Stage("tenants", null, List.of(Fixtures.step("apply", "apply")),
        List.of(), 0, null, null, null, null, null, "tier=nothing", null, null)));
    TestClient.Reply reply = admin.post("/api/v1/executions", none);
    assertThat(reply.code()).isEqualTo(400);
    assertThat(reply.body()).contains("stages[0].targetGroup 'tier=nothing' matches no stored target");
  }

  @Test
  void abortingTheRolloutAbortsItsRunningTargetsAndSkipsTheRest() {
    String approverToken = AccessFixture.token(admin, "bob", "approver");
    assertThat(approverToken).isNotBlank();
    String id = submit(pipeline(new Rollout(1, List.of("5"), 5, 3, "2"), true));
    await().atMost(Duration.ofSeconds(60)).until(() -> rollout(view(id)) != null
        && rollout(view(id)).waitingApproval() == 1);
    String canary = rollout(view(id)).targets().get(0).executionId();
    assertThat(admin.post("/api/v1/executions/" + id + "/abort", "{}").code()).isEqualTo(202);
    ExecutionView done = awaitFinished(id);
    assertThat(done.status()).isEqualTo("FAILED");
    assertThat(done.error()).contains("aborted");
    assertThat(view(canary).status()).isEqualTo("FAILED");
    assertThat(rollout(done).counts()).isEqualTo(new RolloutView.Counts(0, 0, 0, 1, 0, 19));
    assertThat(applies).isEmpty();
  }
}
