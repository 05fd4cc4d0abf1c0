package io.dbops.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.dbops.support.Json;
import io.dbops.testsupport.TestDatabase;
import io.dbops.testsupport.TestDatabases;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Git webhooks and notifications against the real distribution (issue 16 part 3): a signed GitHub
 * push for a watched branch and path makes a real delegate apply the changelog to PostgreSQL with
 * the pushed commit as the tag; a wrong signature, a replay and a push outside the watched paths run
 * nothing; a loopback endpoint receives the signed "succeeded" event of that run.
 */
class TriggersIT {
  private static final Duration CLI = Duration.ofMinutes(2);
  private static final String WEBHOOK_SECRET = "e2e-canary-webhook-secret-4d1f";
  private static final String NOTIFY_SECRET = "e2e-canary-notify-secret-77b0";
  private static final String COMMIT = "5c2f6e0d8a1b4c3d2e1f0a9b8c7d6e5f4a3b2c1d";

  @TempDir static Path work;
  private static Cluster cluster;
  private static Cluster.Server server;
  private static HttpServer endpoint;
  private static final BlockingQueue<String[]> received = new LinkedBlockingQueue<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() throws Exception {
    endpoint = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    endpoint.createContext("/hook", exchange -> {
      byte[] body = exchange.getRequestBody().readAllBytes();
      received.add(new String[] {exchange.getRequestHeaders().getFirst("X-Dbops-Signature"),
          new String(body, StandardCharsets.UTF_8)});
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    endpoint.start();
    cluster = new Cluster(work);
    server = cluster.server("server", 0, Map.of(
        "DBOPS_NOTIFY_ALLOW_HOSTS", "127.0.0.1:" + endpoint.getAddress().getPort(),
        "DBOPS_NOTIFY_RETRY_BASE_MILLIS", "200", "DBOPS_NOTIFY_RETRY_MAX_SECONDS", "2"));
    cluster.delegate(server.url(), server.api().createToken("triggers"), "triggers", "delegate",
        Map.of("DBOPS_TAGS", "pg"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
    if (endpoint != null) {
      endpoint.stop(0);
    }
  }

  private static DbopsProcess cli(Map<String, String> env, String... args) throws Exception {
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--server";
    all[args.length + 1] = server.url();
    return DbopsProcess.run(work, env, CLI, all);
  }

  private static String hmac(String secret, String body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
  }

  private HttpResponse<String> push(String delivery, String secret, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(server.url() + "/hooks/orders-main"))
        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
        .header("X-GitHub-Event", "push").header("X-GitHub-Delivery", delivery)
        .header("X-Hub-Signature-256", hmac(secret, body))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String githubPush(List<String> modified) {
    return Json.write(Map.of("ref", "refs/heads/main", "after", COMMIT,
        "commits", List.of(Map.of("id", COMMIT, "added", List.of(), "removed", List.of(),
            "modified", modified))));
  }

  @Test
  void aSignedPushAppliesTheCommitAndTheEndpointHearsOfIt() throws Exception {
    try (TestDatabase db = TestDatabases.create(TestDatabases.Kind.POSTGRES)) {
      Path repo = Files.createDirectories(work.resolve("repo"));
      Files.writeString(repo.resolve("dbops.yaml"), DeclarativeIT.document(db.jdbcUrl(), db.username()));
      Pipelines.copy("good", List.of("changelog.yaml"), repo, Map.of());
      DbopsProcess applied = cli(Map.of(), "apply", "-f", repo.resolve("dbops.yaml").toString());
      assertThat(applied.exitCode()).as(applied.text()).isZero();

      DbopsProcess hook = cli(Map.of("E2E_HOOK_SECRET", WEBHOOK_SECRET), "webhook", "create",
          "orders-main", "--format", "github", "--pipeline", "orders", "--branch", "main",
          "--path", "db/**", "--secret-env", "E2E_HOOK_SECRET");
      assertThat(hook.exitCode()).as(hook.text()).isZero();
      assertThat(hook.text()).contains("POST " + server.url() + "/hooks/orders-main")
          .doesNotContain(WEBHOOK_SECRET);
      DbopsProcess notify = cli(Map.of("E2E_NOTIFY_SECRET", NOTIFY_SECRET), "notification",
          "create", "ops", "--url", "http://127.0.0.1:" + endpoint.getAddress().getPort() + "/hook",
          "--event", "succeeded", "--event", "failed", "--secret-env", "E2E_NOTIFY_SECRET");
      assertThat(notify.exitCode()).as(notify.text()).isZero();

      String body = githubPush(List.of("db/changelog/0001-accounts.yaml"));
      HttpResponse<String> wrong = push("e2e-1", "not-the-secret-at-all", body);
      assertThat(wrong.statusCode()).isEqualTo(401);
      assertThat(server.api().get("/api/v1/executions")).isEmpty();

      HttpResponse<String> outside = push("e2e-0", WEBHOOK_SECRET,
          githubPush(List.of("src/Main.java")));
      assertThat(outside.statusCode()).as(outside.body()).isEqualTo(202);
      assertThat(outside.body()).contains("\"triggered\":false");

      HttpResponse<String> ok = push("e2e-1", WEBHOOK_SECRET, body);
      assertThat(ok.statusCode()).as(ok.body()).isEqualTo(202);
      String id = Json.mapper().readTree(ok.body()).path("executionId").asText();
      HttpResponse<String> replay = push("e2e-1", WEBHOOK_SECRET, body);
      assertThat(replay.statusCode()).isEqualTo(200);
      assertThat(replay.body()).contains("\"duplicate\":true");

      await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(250)).until(() ->
          server.api().get("/api/v1/executions/" + id).path("finishedAt").isTextual());
      JsonNode run = server.api().get("/api/v1/executions/" + id);
      assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("SUCCEEDED");
      assertThat(run.path("origin").path("source").asText()).isEqualTo("webhook");
      assertThat(run.path("origin").path("startedBy").asText()).isEqualTo("webhook:orders-main");
      assertThat(db.tableExists("accounts")).isTrue();
      assertThat(db.queryLong("SELECT COUNT(*) FROM databasechangelog WHERE tag = '" + COMMIT + "'"))
          .as("the pushed commit reached the apply as its tag").isEqualTo(1);
      assertThat(server.api().get("/api/v1/executions")).as("one run for three deliveries").hasSize(1);

      String[] event = received.poll(60, TimeUnit.SECONDS);
      assertThat(event).as("the succeeded notification").isNotNull();
      assertThat(event[0]).isEqualTo(hmac(NOTIFY_SECRET, event[1]));
      JsonNode payload = Json.mapper().readTree(event[1]);
      assertThat(payload.path("event").asText()).isEqualTo("succeeded");
      assertThat(payload.path("executionId").asText()).isEqualTo(id);
      assertThat(payload.path("environment").asText()).isEqualTo("dev");

      String serverLog = server.process().text();
      assertThat(serverLog).doesNotContain(WEBHOOK_SECRET).doesNotContain(NOTIFY_SECRET);
    }
  }
}
