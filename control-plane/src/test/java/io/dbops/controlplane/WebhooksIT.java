package io.dbops.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.api.ExecutionView;
import io.dbops.api.TokenCreated;
import io.dbops.controlplane.webhooks.Signatures;
import io.dbops.protocol.Frame;
import io.dbops.protocol.TaskStatus;
import io.dbops.protocol.TaskTypes;
import io.dbops.protocol.InitStageOutput;
import io.dbops.protocol.StepOutput;
import io.dbops.support.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Incoming git webhooks on the real control plane over real HTTP, with a delegate (played over the
 * real WebSocket protocol) running what they trigger: GitHub, GitLab and generic formats, wrong
 * signatures, replays, branch and path filters, bad definitions, and the secret canary.
 */
class WebhooksIT {
  static final String DOCUMENT = """
      apiVersion: dbops/v1
      environments:
        - {name: dev, order: 1}
      targets:
        - name: orders-dev
          environment: dev
          url: jdbc:h2:mem:orders-dev
          username: sa
      pipelines:
        - name: orders
          inputs:
            - {name: ref, required: true}
            - {name: contexts}
          stages:
            - name: dev
              target: orders-dev
              steps:
                - {name: update, type: apply, changelog: changelog.xml, tag: "${inputs.ref}", contexts: "${inputs.contexts}"}
      """;
  static final String SECRET = "canary-webhook-secret-7f3a9c";
  static final String COMMIT = "9fceb02d0ae598e95dc970b74767f19372d61af8";

  @TempDir Path dataDir;
  ControlPlane controlPlane;
  TestClient admin;
  TestDelegate delegate;
  RootLogCapture logs;

  @BeforeEach
  void start() throws Exception {
    logs = new RootLogCapture();
    controlPlane = new ControlPlane(Fixtures.builder(dataDir)
        .auth(new io.dbops.controlplane.config.AuthSettings(1000, Duration.ofMinutes(1))).build());
    controlPlane.start();
    admin = TestClient.of(controlPlane);
    TestClient.Reply applied = admin.post("/api/v1/apply?baseDirectory=/work/repo", DOCUMENT);
    assertThat(applied.code()).as(applied.body()).isEqualTo(200);
    String token = admin.post("/api/v1/tokens", "{\"name\":\"d\"}").as(TokenCreated.class).token();
    delegate = new TestDelegate("inst-webhooks");
    delegate.connect(admin.http, controlPlane.baseUrl(), token, 2, List.of());
    delegate.runWith(a -> switch (a.taskType()) {
      case TaskTypes.INIT_STAGE -> new Frame.TaskResult(a.taskId(), a.attempt(),
          TaskStatus.SUCCEEDED, null, Json.tree(new InitStageOutput(
              a.payload().get("podName").asText(), "127.0.0.1:40123", List.of(20002))));
      case TaskTypes.EXECUTE_STEP -> new Frame.TaskResult(a.taskId(), a.attempt(),
          TaskStatus.SUCCEEDED, null, Json.tree(new StepOutput("SUCCEEDED", null, Map.of(),
              List.of(), 5, 1, 0)));
      default -> new Frame.TaskResult(a.taskId(), a.attempt(), TaskStatus.SUCCEEDED, null, null);
    });
  }

  @AfterEach
  void stop() {
    delegate.close();
    controlPlane.close();
    logs.close();
  }

  record Hook(int code, String body) {
    JsonNode json() {
      try {
        return Json.mapper().readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  Hook deliver(String name, Map<String, String> headers, String body) {
    Request.Builder b = new Request.Builder().url(controlPlane.baseUrl() + "/hooks/" + name)
        .post(RequestBody.create(body.getBytes(StandardCharsets.UTF_8),
            MediaType.get("application/json")));
    headers.forEach(b::header);
    try (Response r = admin.http.newCall(b.build()).execute()) {
      return new Hook(r.code(), r.body() == null ? "" : r.body().string());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Hook github(String name, String secret, String delivery, String event, String body) {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("X-GitHub-Event", event);
    h.put("X-GitHub-Delivery", delivery);
    if (secret != null) {
      h.put("X-Hub-Signature-256", Signatures.sign(secret, body.getBytes(StandardCharsets.UTF_8)));
    }
    return deliver(name, h, body);
  }

  static String githubPush(String branch, String commit, List<String> modified) {
    return Json.write(Map.of("ref", "refs/heads/" + branch, "before", "0".repeat(39) + "1",
        "after", commit, "repository", Map.of("full_name", "acme/orders"),
        "commits", List.of(Map.of("id", commit, "added", List.of(), "removed", List.of(),
            "modified", modified))));
  }

  TestClient.Reply create(Map<String, Object> body) {
    return admin.post("/api/v1/webhooks", body);
  }

  Map<String, Object> definition(String name, String format) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("name", name);
    d.put("format", format);
    d.put("pipeline", "orders");
    d.put("branches", List.of("main", "release/*"));
    d.put("paths", List.of("db/**"));
    d.put("inputs", Map.of("contexts", "dev"));
    d.put("secret", SECRET);
    return d;
  }

  List<String> executionIds() {
    List<String> ids = new ArrayList<>();
    admin.get("/api/v1/executions").json().forEach(e -> ids.add(e.path("id").asText()));
    return ids;
  }

  ExecutionView awaitFinished(String id) {
    await().atMost(Duration.ofSeconds(60)).until(() -> admin.get("/api/v1/executions/" + id)
        .as(ExecutionView.class).finishedAt() != null);
    return admin.get("/api/v1/executions/" + id).as(ExecutionView.class);
  }

  @Test
  void aSignedGithubPushToAWatchedBranchAndPathRunsThePipelineWithThatCommitAsRef() {
    TestClient.Reply created = create(definition("orders-gh", "github"));
    assertThat(created.code()).as(created.body()).isEqualTo(201);
    assertThat(created.json().path("url").asText())
        .isEqualTo(controlPlane.baseUrl() + "/hooks/orders-gh");
    assertThat(created.json().has("secret")).as("a given secret is never echoed").isFalse();

    assertThat(github("orders-gh", SECRET, "d-ping", "ping", "{\"zen\":\"hi\",\"hook_id\":1}")
        .code()).isEqualTo(200);

    Hook hook = github("orders-gh", SECRET, "d-1", "push",
        githubPush("main", COMMIT, List.of("db/changelog/0042-orders.xml", "README.md")));
    assertThat(hook.code()).as(hook.body()).isEqualTo(202);
    assertThat(hook.json().path("triggered").asBoolean()).isTrue();
    String id = hook.json().path("executionId").asText();

    ExecutionView done = awaitFinished(id);
    assertThat(done.status()).isEqualTo("SUCCEEDED");
    assertThat(done.origin().source()).isEqualTo("webhook");
    assertThat(done.origin().startedBy()).isEqualTo("webhook:orders-gh");
    assertThat(done.origin().pipelineName()).isEqualTo("orders");
    assertThat(done.origin().inputs()).containsEntry("ref", COMMIT).containsEntry("contexts", "dev");
    JsonNode step = delegate.assigned.stream()
        .filter(a -> a.taskType().equals(TaskTypes.EXECUTE_STEP)).findFirst().orElseThrow()
        .payload().path("step");
    assertThat(step.path("tag").asText()).as("the commit reached the step").isEqualTo(COMMIT);

    JsonNode deliveries = admin.get("/api/v1/webhooks/orders-gh/deliveries").json();
    assertThat(deliveries.get(0).path("deliveryId").asText()).isEqualTo("d-1");
    assertThat(deliveries.get(0).path("outcome").asText()).isEqualTo("triggered");
    assertThat(deliveries.get(0).path("executionId").asText()).isEqualTo(id);
    JsonNode audit = admin.get("/api/v1/audit?action=webhook.trigger").json();
    assertThat(audit.toString()).contains("webhook:orders-gh").contains(id);
    assertThat(admin.get("/metrics").body())
        .contains("dbops_webhook_calls_total{outcome=\"triggered\"} 1.0");
  }

  @Test
  void aWrongSignatureAReplayAndAPushOutsideTheFiltersRunNothing() {
    assertThat(create(definition("orders-gh", "github")).code()).isEqualTo(201);
    String push = githubPush("main", COMMIT, List.of("db/changelog/0042-orders.xml"));

    Hook wrong = github("orders-gh", "another-secret-entirely", "d-1", "push", push);
    assertThat(wrong.code()).isEqualTo(401);
    assertThat(wrong.json().path("code").asText()).isEqualTo("unauthorized");
    Hook missing = github("orders-gh", null, "d-1", "push", push);
    assertThat(missing.code()).isEqualTo(401);
    Hook unknown = github("no-such-hook", SECRET, "d-1", "push", push);
    assertThat(unknown.code()).isEqualTo(401);
    assertThat(unknown.json().path("message").asText().replace("no-such-hook", "orders-gh"))
        .as("an unknown webhook is answered like a wrong signature")
        .isEqualTo(wrong.json().path("message").asText());
    // a signature over another body does not count for this one
    Hook tampered = deliver("orders-gh", Map.of("X-GitHub-Event", "push", "X-GitHub-Delivery",
        "d-1", "X-Hub-Signature-256", Signatures.sign(SECRET, "{}".getBytes(StandardCharsets.UTF_8))),
        push);
    assertThat(tampered.code()).isEqualTo(401);
    assertThat(executionIds()).as("nothing ran").isEmpty();
    assertThat(admin.get("/api/v1/audit?action=webhook.refused").json().size()).isEqualTo(4);

    Hook first = github("orders-gh", SECRET, "d-1", "push", push);
    assertThat(first.code()).as(first.body()).isEqualTo(202);
    Hook replay = github("orders-gh", SECRET, "d-1", "push", push);
    assertThat(replay.code()).isEqualTo(200);
    assertThat(replay.json().path("duplicate").asBoolean()).isTrue();
    assertThat(executionIds()).hasSize(1);

    Hook otherPaths = github("orders-gh", SECRET, "d-2", "push",
        githubPush("main", COMMIT, List.of("src/Main.java", "README.md")));
    assertThat(otherPaths.code()).isEqualTo(202);
    assertThat(otherPaths.json().path("triggered").asBoolean()).isFalse();
    assertThat(otherPaths.json().path("reason").asText())
        .isEqualTo("none of the 2 changed file(s) matches [db/**]");
    Hook otherBranch = github("orders-gh", SECRET, "d-3", "push",
        githubPush("feature/x", COMMIT, List.of("db/a.xml")));
    assertThat(otherBranch.json().path("reason").asText())
        .isEqualTo("branch 'feature/x' matches none of [main, release/*]");
    Hook release = github("orders-gh", SECRET, "d-4", "push",
        githubPush("release/2.1", COMMIT, List.of("db/a.xml")));
    assertThat(release.json().path("triggered").asBoolean()).as(release.body()).isTrue();
    Hook issue = github("orders-gh", SECRET, "d-5", "issues", "{\"action\":\"opened\"}");
    assertThat(issue.code()).isEqualTo(202);
    assertThat(issue.json().path("reason").asText()).isEqualTo("event 'issues' is not a push");
    Hook malformed = github("orders-gh", SECRET, "d-6", "push", "{not json");
    assertThat(malformed.code()).as("signed but malformed").isEqualTo(400);
    assertThat(executionIds()).hasSize(2);
  }

  @Test
  void gitlabSendsItsTokenAndTheGenericFormatSignsItsBody() {
    assertThat(create(definition("orders-gl", "gitlab")).code()).isEqualTo(201);
    String gitlab = Json.write(Map.of("object_kind", "push", "ref", "refs/heads/main",
        "after", COMMIT, "checkout_sha", COMMIT, "commits", List.of(Map.of("id", COMMIT,
            "added", List.of("db/changelog/0043.xml"), "modified", List.of(), "removed",
            List.of()))));
    Hook wrong = deliver("orders-gl", Map.of("X-Gitlab-Event", "Push Hook", "X-Gitlab-Token",
        "not-the-token-at-all", "X-Gitlab-Event-UUID", "u-1"), gitlab);
    assertThat(wrong.code()).isEqualTo(401);
    Hook ok = deliver("orders-gl", Map.of("X-Gitlab-Event", "Push Hook", "X-Gitlab-Token", SECRET,
        "X-Gitlab-Event-UUID", "u-1"), gitlab);
    assertThat(ok.code()).as(ok.body()).isEqualTo(202);
    assertThat(awaitFinished(ok.json().path("executionId").asText()).origin().inputs())
        .containsEntry("ref", COMMIT);
    Hook again = deliver("orders-gl", Map.of("X-Gitlab-Event", "Push Hook", "X-Gitlab-Token",
        SECRET, "X-Gitlab-Event-UUID", "u-1"), gitlab);
    assertThat(again.json().path("duplicate").asBoolean()).isTrue();

    Map<String, Object> generic = definition("orders-any", "generic");
    generic.remove("secret"); // generated, shown once
    TestClient.Reply created = create(generic);
    assertThat(created.code()).as(created.body()).isEqualTo(201);
    String secret = created.json().path("secret").asText();
    assertThat(secret).startsWith("dbops_whs_");
    assertThat(admin.get("/api/v1/webhooks/orders-any").body()).doesNotContain(secret);
    String body = Json.write(Map.of("branch", "main", "commit", "abc123",
        "paths", List.of("db/x.sql")));
    Hook unsigned = deliver("orders-any", Map.of("X-Dbops-Delivery", "g-1"), body);
    assertThat(unsigned.code()).isEqualTo(401);
    Hook signed = deliver("orders-any", Map.of("X-Dbops-Delivery", "g-1", "X-Dbops-Signature",
        Signatures.sign(secret, body.getBytes(StandardCharsets.UTF_8))), body);
    assertThat(signed.code()).as(signed.body()).isEqualTo(202);
    assertThat(awaitFinished(signed.json().path("executionId").asText()).origin().inputs())
        .containsEntry("ref", "abc123");
    Hook noDelivery = deliver("orders-any", Map.of("X-Dbops-Signature",
        Signatures.sign(secret, body.getBytes(StandardCharsets.UTF_8))), body);
    assertThat(noDelivery.code()).isEqualTo(400);
    assertThat(noDelivery.json().path("message").asText()).contains("X-Dbops-Delivery");
  }

  @Test
  void invalidDefinitionsAreRefusedWithEveryProblemListed() {
    Map<String, Object> bad = new LinkedHashMap<>();
    bad.put("name", "Bad Name");
    bad.put("format", "bitbucket");
    bad.put("pipeline", "no-such-pipeline");
    bad.put("branches", List.of("main", "feat/[ab]"));
    bad.put("paths", List.of(""));
    bad.put("secret", "short");
    TestClient.Reply reply = create(bad);
    assertThat(reply.code()).isEqualTo(400);
    assertThat(reply.json().path("details").toString())
        .contains("name 'Bad Name' must be 1-63 lower-case letters")
        .contains("format 'bitbucket' is not one of github, gitlab, generic")
        .contains("pipeline 'no-such-pipeline' does not exist")
        .contains("branches[1] 'feat/[ab]' uses '['; only *, ** and ? are supported")
        .contains("paths[0] is empty")
        .contains("secret must be 16-200 characters");
    assertThat(reply.body()).doesNotContain("short\"");

    Map<String, Object> undeclared = definition("orders-x", "github");
    undeclared.put("inputs", Map.of("colour", "blue"));
    TestClient.Reply inputs = create(undeclared);
    assertThat(inputs.code()).isEqualTo(400);
    assertThat(inputs.json().path("details").toString())
        .contains("inputs.colour: pipeline 'orders' declares no input 'colour'");

    assertThat(create(definition("orders-gh", "github")).code()).isEqualTo(201);
    assertThat(create(definition("orders-gh", "github")).code()).isEqualTo(409);
    String viewer = AccessFixture.token(admin, "vera", "viewer");
    assertThat(admin.post("/api/v1/webhooks", definition("v", "github"), viewer).code())
        .isEqualTo(403);
    assertThat(admin.get("/api/v1/webhooks", viewer).code()).isEqualTo(200);
  }

  @Test
  void aRunThatCannotStartIsRefusedAndItsRedeliveryMayRunLaterAndBigBodiesAreCut() {
    Map<String, Object> noRef = definition("orders-noref", "github");
    noRef.put("refInput", null); // the pipeline requires 'ref': every run is refused
    assertThat(create(noRef).code()).isEqualTo(201);
    String push = githubPush("main", COMMIT, List.of("db/a.xml"));
    Hook refused = github("orders-noref", SECRET, "r-1", "push", push);
    assertThat(refused.code()).as(refused.body()).isEqualTo(400);
    assertThat(refused.json().path("details").toString()).contains("input 'ref' is required");
    Hook again = github("orders-noref", SECRET, "r-1", "push", push);
    assertThat(again.code()).as("forgotten, so not a duplicate").isEqualTo(400);
    assertThat(admin.get("/api/v1/webhooks/orders-noref/deliveries").json()).isEmpty();
    assertThat(executionIds()).isEmpty();

    String big = "{\"pad\":\"" + "x".repeat(1 << 20) + "\"}";
    Hook tooLarge = github("orders-noref", SECRET, "r-2", "push", big);
    assertThat(tooLarge.code()).isEqualTo(413);
    assertThat(tooLarge.json().path("message").asText()).contains("DBOPS_WEBHOOK_MAX_BODY_BYTES");
  }

  @Test
  void theSecretNeverAppearsInAnswersLogsOrTheDatabase() throws Exception {
    assertThat(create(definition("orders-gh", "github")).code()).isEqualTo(201);
    github("orders-gh", SECRET, "d-1", "push", githubPush("main", COMMIT, List.of("db/a.xml")));
    github("orders-gh", "wrong-secret-wrong-secret", "d-2", "push", "{}");
    Map<String, Object> generated = definition("orders-gen", "generic");
    generated.remove("secret");
    String shownOnce = create(generated).json().path("secret").asText();

    List<String> answers = List.of(admin.get("/api/v1/webhooks").body(),
        admin.get("/api/v1/webhooks/orders-gh").body(),
        admin.get("/api/v1/webhooks/orders-gh/deliveries").body(),
        admin.get("/api/v1/audit").body());
    for (String answer : answers) {
      assertThat(answer).doesNotContain(SECRET).doesNotContain(shownOnce);
    }
    assertThat(logs.text()).doesNotContain(SECRET).doesNotContain(shownOnce);
    try (Connection c = AccessFixture.h2(dataDir);
        ResultSet rs = c.createStatement().executeQuery("SELECT * FROM webhooks")) {
      int rows = 0;
      while (rs.next()) {
        rows++;
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
          String v = rs.getString(i);
          assertThat(v == null ? "" : v).doesNotContain(SECRET).doesNotContain(shownOnce)
              .doesNotContain(java.util.Base64.getEncoder().encodeToString(
                  SECRET.getBytes(StandardCharsets.UTF_8)));
        }
      }
      assertThat(rows).isEqualTo(2);
    }
  }
}
