package io.dbops.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.dbops.api.TokenCreated;
import io.dbops.controlplane.notifications.TriggerSettings;
import io.dbops.protocol.Frame;
import io.dbops.protocol.InitStageOutput;
import io.dbops.protocol.StepOutput;
import io.dbops.protocol.TaskStatus;
import io.dbops.protocol.TaskTypes;
import io.dbops.support.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Outgoing notifications on the real control plane: a real HTTP endpoint on loopback (the JDK's
 * server) receives signed events for waiting, succeeded and failed executions of a stored pipeline
 * run by a delegate over the real protocol, and gets the deliveries it missed while it was down.
 */
class NotificationsIT {
  static final String DOCUMENT = """
      apiVersion: dbops/v1
      environments:
        - {name: dev, order: 1}
        - {name: prod, order: 2}
      targets:
        - {name: orders-prod, environment: prod, url: "jdbc:h2:mem:orders-prod", username: sa}
      pipelines:
        - name: orders
          stages:
            - name: prod
              target: orders-prod
              steps:
                - {name: preview, type: preview, changelog: changelog.xml}
                - name: approve
                  type: approval
                  approval: {required: 1, roles: [approver], starterMayApprove: true}
                - {name: apply, type: apply, changelog: changelog.xml}
      """;
  static final String SECRET = "canary-notify-secret-31c8e2";
  static final String HASH = "c0ffee".repeat(10) + "beef";

  record Received(String event, String delivery, String signature, String body) {
    JsonNode json() {
      try {
        return Json.mapper().readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @TempDir Path dataDir;
  ControlPlane controlPlane;
  TestClient admin;
  TestDelegate delegate;
  RootLogCapture logs;
  String approver;
  HttpServer receiver;
  int port;
  final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
  final AtomicBoolean failApply = new AtomicBoolean();

  @BeforeEach
  void start() throws Exception {
    logs = new RootLogCapture();
    startReceiver(0);
    controlPlane = new ControlPlane(Fixtures.builder(dataDir).triggers(TriggerSettings.DEFAULT
        .withAllowHosts(List.of("127.0.0.1"))
        .withRetries(Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofMillis(200),
            Duration.ofHours(1))).build());
    controlPlane.start();
    admin = TestClient.of(controlPlane);
    approver = AccessFixture.token(admin, "bob", "approver");
    TestClient.Reply applied = admin.post("/api/v1/apply?baseDirectory=/work/repo", DOCUMENT);
    assertThat(applied.code()).as(applied.body()).isEqualTo(200);
    String token = admin.post("/api/v1/tokens", "{\"name\":\"d\"}").as(TokenCreated.class).token();
    delegate = new TestDelegate("inst-notify");
    delegate.connect(admin.http, controlPlane.baseUrl(), token, 2, List.of());
    delegate.runWith(a -> switch (a.taskType()) {
      case TaskTypes.INIT_STAGE -> new Frame.TaskResult(a.taskId(), a.attempt(),
          TaskStatus.SUCCEEDED, null, Json.tree(new InitStageOutput(
              a.payload().get("podName").asText(), "127.0.0.1:40123", List.of(20002, 20003, 20004))));
      case TaskTypes.EXECUTE_STEP -> {
        String kind = a.payload().path("step").path("kind").asText();
        boolean fail = "apply".equals(kind) && failApply.get();
        yield new Frame.TaskResult(a.taskId(), a.attempt(),
            fail ? TaskStatus.FAILED : TaskStatus.SUCCEEDED, fail ? "injected failure" : null,
            Json.tree(new StepOutput(fail ? "FAILED" : "SUCCEEDED", fail ? "injected failure"
                : null, "preview".equals(kind) ? Map.of("sql", "CREATE TABLE t (id INT);",
                    "sqlHash", HASH) : Map.of(), List.of(), 5, 1, 0)));
      }
      default -> new Frame.TaskResult(a.taskId(), a.attempt(), TaskStatus.SUCCEEDED, null, null);
    });
  }

  @AfterEach
  void stop() {
    delegate.close();
    controlPlane.close();
    receiver.stop(0);
    logs.close();
  }

  private void startReceiver(int onPort) throws IOException {
    receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort), 0);
    receiver.createContext("/hook", exchange -> {
      byte[] body = exchange.getRequestBody().readAllBytes();
      received.add(new Received(exchange.getRequestHeaders().getFirst("X-Dbops-Event"),
          exchange.getRequestHeaders().getFirst("X-Dbops-Delivery"),
          exchange.getRequestHeaders().getFirst("X-Dbops-Signature"),
          new String(body, StandardCharsets.UTF_8)));
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    receiver.start();
    port = receiver.getAddress().getPort();
  }

  private static String hmac(String secret, String body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
  }

  private Received next(String event) throws Exception {
    Received r = received.poll(60, TimeUnit.SECONDS);
    assertThat(r).as("a %s notification arrived", event).isNotNull();
    assertThat(r.signature()).as("signed with the endpoint's secret").isEqualTo(hmac(SECRET, r.body()));
    assertThat(r.json().path("event").asText()).isEqualTo(r.event());
    if (event != null) {
      assertThat(r.event()).isEqualTo(event);
    }
    return r;
  }

  private Map<String, Object> endpoint(String name, String url, List<String> environments) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("name", name);
    e.put("url", url);
    e.put("events", List.of("waiting", "succeeded", "failed"));
    e.put("environments", environments);
    e.put("secret", SECRET);
    return e;
  }

  private String run() {
    TestClient.Reply run = admin.post("/api/v1/pipelines/orders/runs", "{}");
    assertThat(run.code()).as(run.body()).isEqualTo(201);
    return run.json().path("id").asText();
  }

  private void awaitStatus(String id, String status) {
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
        admin.get("/api/v1/executions/" + id).json().path("status").asText()).isEqualTo(status));
  }

  private void approve(String id) {
    awaitStatus(id, "WAITING_APPROVAL");
    TestClient.Reply r = admin.post("/api/v1/executions/" + id + "/approvals",
        Json.write(Map.of("decision", "approve", "comment", "ok")), approver);
    assertThat(r.code()).as(r.body()).isEqualTo(200);
  }

  @Test
  void signedEventsForWaitingSucceededAndFailedReachALoopbackEndpoint() throws Exception {
    TestClient.Reply created = admin.post("/api/v1/notifications",
        endpoint("ops", "http://127.0.0.1:" + port + "/hook", List.of("prod")));
    assertThat(created.code()).as(created.body()).isEqualTo(201);
    assertThat(created.body()).doesNotContain(SECRET);
    assertThat(admin.post("/api/v1/notifications", endpoint("dev-only",
        "http://127.0.0.1:" + port + "/hook", List.of("dev"))).code()).isEqualTo(201);

    String ok = run();
    Received waiting = next("waiting");
    assertThat(waiting.json().path("executionId").asText()).isEqualTo(ok);
    assertThat(waiting.json().path("pipeline").asText()).isEqualTo("orders");
    assertThat(waiting.json().path("environment").asText()).isEqualTo("prod");
    assertThat(waiting.json().path("target").asText()).isEqualTo("orders-prod");
    assertThat(waiting.json().path("status").asText()).isEqualTo("WAITING_APPROVAL");
    assertThat(waiting.json().path("url").asText())
        .isEqualTo(controlPlane.baseUrl() + "/api/v1/executions/" + ok);
    assertThat(waiting.delivery()).startsWith("ntf-");
    approve(ok);
    Received succeeded = next("succeeded");
    assertThat(succeeded.json().path("executionId").asText()).isEqualTo(ok);
    assertThat(succeeded.json().path("status").asText()).isEqualTo("SUCCEEDED");

    failApply.set(true);
    String bad = run();
    next("waiting");
    approve(bad);
    Received failed = next("failed");
    assertThat(failed.json().path("executionId").asText()).isEqualTo(bad);
    assertThat(failed.json().path("status").asText()).isEqualTo("FAILED");
    assertThat(failed.body()).as("no error text or log line in the payload")
        .doesNotContain("injected failure");

    assertThat(received.poll(1, TimeUnit.SECONDS)).as("the dev-only endpoint got nothing").isNull();
    assertThat(admin.get("/api/v1/notifications/dev-only/deliveries").json()).isEmpty();
    JsonNode log = admin.get("/api/v1/notifications/ops/deliveries").json();
    assertThat(log).hasSize(4);
    log.forEach(d -> assertThat(d.path("status").asText()).isEqualTo("DELIVERED"));
    assertThat(admin.get("/metrics").body())
        .contains("dbops_notification_deliveries_total{outcome=\"sent\"} 4.0");
  }

  @Test
  void deliveriesMissedWhileTheEndpointWasDownArriveWhenItIsBack() throws Exception {
    assertThat(admin.post("/api/v1/notifications", endpoint("ops",
        "http://127.0.0.1:" + port + "/hook", List.of())).code()).isEqualTo(201);
    receiver.stop(0);
    String id = run();
    approve(id);
    awaitStatus(id, "SUCCEEDED");
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      JsonNode log = admin.get("/api/v1/notifications/ops/deliveries").json();
      assertThat(log).hasSize(2);
      log.forEach(d -> {
        assertThat(d.path("status").asText()).isEqualTo("PENDING");
        assertThat(d.path("attempts").asInt()).isGreaterThanOrEqualTo(2);
        assertThat(d.path("lastError").asText()).isNotEmpty();
      });
    });
    assertThat(received).isEmpty();

    startReceiver(port);
    // retried rows are sent as each comes due: no order is promised after an outage
    List<Received> both = List.of(next(null), next(null));
    assertThat(both).extracting(Received::event).containsExactlyInAnyOrder("waiting", "succeeded");
    both.forEach(r -> assertThat(r.json().path("executionId").asText()).isEqualTo(id));
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        admin.get("/api/v1/notifications/ops/deliveries").json().forEach(d ->
            assertThat(d.path("status").asText()).isEqualTo("DELIVERED")));
  }

  @Test
  void invalidEndpointsAreRefusedAndTheHostRuleNamesItsSetting() {
    Map<String, Object> bad = new LinkedHashMap<>();
    bad.put("name", "ops");
    bad.put("url", "http://10.1.2.3/hook");
    bad.put("events", List.of("waiting", "exploded"));
    bad.put("format", "teams");
    TestClient.Reply reply = admin.post("/api/v1/notifications", bad);
    assertThat(reply.code()).isEqualTo(400);
    assertThat(reply.json().path("details").toString())
        .contains("url: host '10.1.2.3' is not allowed by DBOPS_NOTIFY_ALLOW_HOSTS")
        .contains("events: 'exploded' is not one of [waiting, succeeded, failed, paused, rolledBack]")
        .contains("format must be generic or slack");
    bad.put("url", "not a url");
    bad.put("events", List.of("failed"));
    bad.remove("format");
    assertThat(admin.post("/api/v1/notifications", bad).json().path("details").toString())
        .contains("url: the URL is not valid");
    bad.put("url", "http://user:pw@127.0.0.1:" + port + "/hook");
    assertThat(admin.post("/api/v1/notifications", bad).json().path("details").toString())
        .contains("must not hold credentials");
    String viewer = AccessFixture.token(admin, "vera", "viewer");
    assertThat(admin.post("/api/v1/notifications", endpoint("x", "http://127.0.0.1:" + port
        + "/hook", List.of()), viewer).code()).isEqualTo(403);
  }

  @Test
  void theSecretNeverAppearsInAnswersLogsOrTheDatabase() throws Exception {
    assertThat(admin.post("/api/v1/notifications", endpoint("ops",
        "http://127.0.0.1:" + port + "/hook", List.of())).code()).isEqualTo(201);
    Map<String, Object> generated = endpoint("gen", "http://127.0.0.1:" + port + "/hook",
        List.of());
    generated.remove("secret");
    generated.put("events", List.of("paused")); // never sent here: every delivery is ops's
    String shownOnce = admin.post("/api/v1/notifications", generated).json().path("secret")
        .asText();
    assertThat(shownOnce).startsWith("dbops_nts_");
    String id = run();
    next("waiting");
    approve(id);
    next("succeeded");
    for (String answer : List.of(admin.get("/api/v1/notifications").body(),
        admin.get("/api/v1/notifications/ops").body(),
        admin.get("/api/v1/notifications/ops/deliveries").body(),
        admin.get("/api/v1/audit?limit=500").body())) {
      assertThat(answer).doesNotContain(SECRET).doesNotContain(shownOnce);
    }
    assertThat(logs.text()).doesNotContain(SECRET).doesNotContain(shownOnce);
    try (Connection c = AccessFixture.h2(dataDir)) {
      for (String table : List.of("notification_endpoints", "notification_outbox")) {
        try (ResultSet rs = c.createStatement().executeQuery("SELECT * FROM " + table)) {
          while (rs.next()) {
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
              String v = rs.getString(i);
              assertThat(v == null ? "" : v).as(table).doesNotContain(SECRET)
                  .doesNotContain(shownOnce);
            }
          }
        }
      }
    }
  }
}
