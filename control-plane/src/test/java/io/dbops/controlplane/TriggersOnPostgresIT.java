package io.dbops.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.dbops.api.TokenCreated;
import io.dbops.controlplane.config.ControlPlaneConfig;
import io.dbops.controlplane.notifications.TriggerSettings;
import io.dbops.controlplane.secrets.MasterKey;
import io.dbops.controlplane.secrets.MasterKeySettings;
import io.dbops.controlplane.webhooks.Signatures;
import io.dbops.testsupport.TestDatabase;
import io.dbops.testsupport.TestDatabases;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Webhooks and notifications with the control plane on PostgreSQL: a signed push runs the
 * pipeline, its replay is recognised by PostgreSQL's unique key, and a notification queued while
 * its endpoint is down survives a control-plane restart and is delivered once the endpoint is back.
 * No secret is in any of the new tables.
 */
class TriggersOnPostgresIT {
  static final String WEBHOOK_SECRET = "pg-canary-webhook-secret-51ab";
  static final String NOTIFY_SECRET = "pg-canary-notify-secret-9c2d";

  @TempDir Path dataDir;

  @Test
  void aWebhookRunsOnceAndANotificationSurvivesARestart() throws Exception {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    MasterKey master = MasterKey.parse(Base64.getEncoder().encodeToString(key), "test key");
    BlockingQueue<String> received = new LinkedBlockingQueue<>();
    int port;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort(); // the endpoint is down (nothing listens) until the end
    }
    try (TestDatabase db = TestDatabases.create(TestDatabases.Kind.POSTGRES)) {
      ControlPlaneConfig config = Fixtures.builder(dataDir)
          .database(db.jdbcUrl(), db.username(), db.password())
          .masterKeys(new MasterKeySettings(master, null))
          .triggers(TriggerSettings.DEFAULT.withAllowHosts(List.of("127.0.0.1:" + port))
              .withRetries(Duration.ofMillis(100), Duration.ofMillis(400), Duration.ofMillis(100),
                  Duration.ofHours(1)))
          .build();
      String executionId;
      try (ControlPlane controlPlane = new ControlPlane(config);
          TestDelegate delegate = new TestDelegate("inst-pg-triggers")) {
        controlPlane.start();
        TestClient admin = TestClient.of(controlPlane);
        assertThat(admin.post("/api/v1/apply?baseDirectory=/work/repo", WebhooksIT.DOCUMENT)
            .code()).isEqualTo(200);
        String token = admin.post("/api/v1/tokens", "{\"name\":\"d\"}").as(TokenCreated.class)
            .token();
        delegate.connect(admin.http, controlPlane.baseUrl(), token, 2, List.of());
        delegate.runWith(Scripts.succeedExcept());
        assertThat(admin.post("/api/v1/notifications", Map.of("name", "ops",
            "url", "http://127.0.0.1:" + port + "/hook", "events", List.of("succeeded"),
            "secret", NOTIFY_SECRET)).code()).isEqualTo(201);
        assertThat(admin.post("/api/v1/webhooks", Map.of("name", "orders-gh", "format", "github",
            "pipeline", "orders", "branches", List.of("main"), "inputs", Map.of("contexts", "dev"),
            "secret", WEBHOOK_SECRET)).code()).isEqualTo(201);

        String push = WebhooksIT.githubPush("main", WebhooksIT.COMMIT, List.of("db/a.xml"));
        TestClient.Reply first = deliver(admin, controlPlane.baseUrl(), push);
        assertThat(first.code()).as(first.body()).isEqualTo(202);
        executionId = first.json().path("executionId").asText();
        TestClient.Reply replay = deliver(admin, controlPlane.baseUrl(), push);
        assertThat(replay.code()).isEqualTo(200);
        assertThat(replay.json().path("duplicate").asBoolean()).isTrue();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(admin
            .get("/api/v1/executions/" + executionId).json().path("status").asText())
            .isEqualTo("SUCCEEDED"));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(admin
            .get("/api/v1/notifications/ops/deliveries").json().get(0).path("attempts").asInt())
            .isGreaterThanOrEqualTo(2));
        assertThat(admin.get("/api/v1/executions").json()).hasSize(1);
      }
      assertThat(db.queryLong("SELECT COUNT(*) FROM notification_outbox WHERE status = 'PENDING'"))
          .as("the undelivered event is kept across the restart").isEqualTo(1);

      HttpServer endpoint = HttpServer.create(
          new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
      endpoint.createContext("/hook", exchange -> {
        byte[] body = exchange.getRequestBody().readAllBytes();
        String signature = exchange.getRequestHeaders().getFirst("X-Dbops-Signature");
        received.add((Signatures.sign(NOTIFY_SECRET, body).equals(signature) ? "signed " : "unsigned ")
            + new String(body, StandardCharsets.UTF_8));
        exchange.sendResponseHeaders(200, -1);
        exchange.close();
      });
      endpoint.start();
      try (ControlPlane again = new ControlPlane(config)) {
        again.start();
        String got = received.poll(60, TimeUnit.SECONDS);
        assertThat(got).startsWith("signed ").contains("\"event\":\"succeeded\"")
            .contains(executionId);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(db.queryLong(
            "SELECT COUNT(*) FROM notification_outbox WHERE status = 'DELIVERED'")).isEqualTo(1));
      } finally {
        endpoint.stop(0);
      }
      try (Connection c = db.connect()) {
        for (String table : List.of("webhooks", "webhook_deliveries", "notification_endpoints",
            "notification_outbox")) {
          try (ResultSet rs = c.createStatement().executeQuery("SELECT * FROM " + table)) {
            while (rs.next()) {
              for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                String v = String.valueOf(rs.getString(i));
                assertThat(v).as(table).doesNotContain(WEBHOOK_SECRET).doesNotContain(NOTIFY_SECRET);
              }
            }
          }
        }
      }
    }
  }

  private static TestClient.Reply deliver(TestClient admin, String baseUrl, String push)
      throws Exception {
    Request request = new Request.Builder().url(baseUrl + "/hooks/orders-gh")
        .header("X-GitHub-Event", "push").header("X-GitHub-Delivery", "pg-1")
        .header("X-Hub-Signature-256", Signatures.sign(WEBHOOK_SECRET,
            push.getBytes(StandardCharsets.UTF_8)))
        .post(RequestBody.create(push.getBytes(StandardCharsets.UTF_8),
            MediaType.get("application/json"))).build();
    try (Response r = admin.http.newCall(request).execute()) {
      return new TestClient.Reply(r.code(), r.body().string());
    }
  }
}
