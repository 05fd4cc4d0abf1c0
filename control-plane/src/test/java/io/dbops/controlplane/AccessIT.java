package io.dbops.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.controlplane.config.AuthSettings;
import io.dbops.controlplane.http.Access;
import io.dbops.controlplane.http.RouteRule;
import io.dbops.support.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every route of the real server, from the edge's own table: each one but the documented open
 * ones refuses a request without a usable credential. A route added later without a rule cannot
 * be registered (Edge), and one registered with a rule shows up here automatically.
 */
class AccessIT {
  /** The only routes anyone may call without a credential (docs/api.md "Authentication"). */
  static final List<String> OPEN = java.util.stream.Stream.concat(
      java.util.stream.Stream.of("GET /healthz", "GET /readyz", "POST /console/session",
          "GET /console/config", "GET /console/oidc/login", "GET /console/oidc/callback"),
      ConsoleAssetsIT.OPEN.stream()).toList();

  @TempDir Path dataDir;
  ControlPlane controlPlane;
  TestClient admin;

  @BeforeEach
  void start() {
    // this test sends hundreds of refused requests from one address: no slow-down here
    controlPlane = new ControlPlane(Fixtures.builder(dataDir)
        .auth(new AuthSettings(1_000_000, Duration.ofMinutes(1))).build());
    controlPlane.start();
    admin = TestClient.of(controlPlane);
  }

  @AfterEach
  void stop() {
    controlPlane.close();
  }

  @Test
  void everyRouteButTheOpenOnesRefusesMissingGarbageExpiredAndRevokedCredentials()
      throws Exception {
    String expired = AccessFixture.token(admin, "expired", "admin");
    AccessFixture.update(dataDir, "UPDATE api_tokens SET expires_at = 1 WHERE name = 'expired'");
    String revokedToken = AccessFixture.token(admin, "revoked", "admin");
    String revokedId = admin.get("/api/v1/whoami", revokedToken).json().path("id").asText();
    assertThat(admin.delete("/api/v1/access/tokens/" + revokedId).code()).isEqualTo(200);
    String delegateToken = admin.post("/api/v1/tokens", "{\"name\":\"d\"}").json().path("token")
        .asText();

    List<RouteRule> routes = controlPlane.routes();
    assertThat(routes).hasSizeGreaterThan(20);
    List<String> open = new ArrayList<>();
    for (RouteRule route : routes) {
      if (route.access().kind() == Access.Kind.OPEN) {
        open.add(route.method() + " " + route.path());
        continue;
      }
      if ("WS".equals(route.method())) {
        continue; // the upgrade refusals are DelegateHubIT.refusesUpgradeWithoutOrWithWrongToken
      }
      String path = route.path().replaceAll("\\{[a-z]+}", "x1");
      String body = "GET".equals(route.method()) ? null : "{}";
      Map<String, String> credentials = new java.util.LinkedHashMap<>();
      credentials.put("no credential", null);
      credentials.put("garbage", "dbops_pat_garbage-not-a-token");
      if (route.access().kind() == Access.Kind.API_TOKEN) {
        credentials.put("expired", expired);
        credentials.put("revoked", revokedToken);
        credentials.put("a delegate token", delegateToken);
      }
      for (var c : credentials.entrySet()) {
        TestClient.Reply reply = admin.send(route.method(), path, body, c.getValue());
        assertThat(reply.code()).as("%s with %s: %s", route, c.getKey(), reply.body())
            .isEqualTo(401);
        assertThat(reply.json().path("code").asText()).isEqualTo("unauthorized");
        if (c.getValue() != null) {
          assertThat(reply.body()).as("never echoes the credential").doesNotContain(c.getValue());
        }
        if (route.access().kind() == Access.Kind.API_TOKEN) {
          assertThat(reply.json().path("message").asText()).contains(
              "needs an API token (Authorization: Bearer ...); set DBOPS_API_TOKEN or run dbops"
                  + " login");
        }
      }
    }
    assertThat(open).containsExactlyInAnyOrderElementsOf(OPEN);
    assertThat(admin.anonymous().get("/healthz").code()).isEqualTo(200);
    assertThat(admin.anonymous().get("/readyz").code()).isEqualTo(200);
  }

  @Test
  void theRefusalsSayWhatIsMissingAndNameTheTokenNeverItsValue() {
    TestClient anonymous = admin.anonymous();
    TestClient.Reply missing = anonymous.get("/api/v1/executions");
    assertThat(missing.json().path("message").asText()).contains("no token was sent");
    String revoked = AccessFixture.token(admin, "bob", "viewer");
    String id = admin.get("/api/v1/whoami", revoked).json().path("id").asText();
    admin.delete("/api/v1/access/tokens/" + id);
    assertThat(admin.get("/api/v1/executions", revoked).json().path("message").asText())
        .contains("token 'bob' (" + id + ") was revoked");

    String viewer = AccessFixture.token(admin, "carol", "viewer");
    TestClient.Reply forbidden = admin.as(viewer).put("/api/v1/secrets/db_password",
        Map.of("value", "never-echoed"));
    assertThat(forbidden.code()).isEqualTo(403);
    assertThat(forbidden.json().path("code").asText()).isEqualTo("forbidden");
    assertThat(forbidden.json().path("message").asText())
        .contains("PUT /api/v1/secrets/{name} needs verb 'secrets' (role admin")
        .contains("token 'carol' may not: it has role(s) [viewer] (rule: roles)")
        .doesNotContain(viewer);

    String readOnlyAdmin = AccessFixture.token(admin, "dave", List.of("admin"), List.of(),
        List.of("read"));
    TestClient.Reply limited = admin.as(readOnlyAdmin).get("/api/v1/secrets");
    assertThat(limited.code()).isEqualTo(403);
    assertThat(limited.json().path("message").asText())
        .contains("its verbs are limited to [read] (rule: token verbs)");
    assertThat(admin.as(readOnlyAdmin).get("/api/v1/executions").code()).isEqualTo(200);
  }

  @Test
  void aRogueDelegateCannotMintTokensReadSecretsOrUseItsTokenOnManagementRoutes() {
    TestClient anonymous = admin.anonymous();
    assertThat(admin.put("/api/v1/secrets/orders_db_password", Map.of("value", "s3cret"))
        .code()).isEqualTo(201);

    TestClient.Reply mint = anonymous.post("/api/v1/tokens", "{\"name\":\"rogue\"}");
    assertThat(mint.code()).isEqualTo(401);
    assertThat(mint.json().path("message").asText()).contains("DBOPS_API_TOKEN");
    assertThat(anonymous.get("/api/v1/secrets").code()).isEqualTo(401);
    assertThat(anonymous.delete("/api/v1/secrets/orders_db_password").code()).isEqualTo(401);
    assertThat(anonymous.post("/api/v1/access/tokens", "{\"name\":\"rogue\",\"roles\":[\"admin\"]}")
        .code()).isEqualTo(401);
    assertThat(anonymous.post("/api/v1/tasks", "{\"type\":\"noop\"}").code()).isEqualTo(401);

    String delegateToken = admin.post("/api/v1/tokens", "{\"name\":\"legit\"}").json()
        .path("token").asText();
    TestClient asDelegate = admin.as(delegateToken);
    for (TestClient.Reply reply : List.of(asDelegate.get("/api/v1/secrets"),
        asDelegate.post("/api/v1/tokens", "{\"name\":\"more\"}"),
        asDelegate.get("/api/v1/executions"),
        asDelegate.post("/api/v1/executions", Json.write(Fixtures.pipeline("p",
            Fixtures.step("s", "apply")))))) {
      assertThat(reply.code()).as(reply.body()).isEqualTo(401);
    }
    assertThat(admin.get("/api/v1/tokens").json()).hasSize(1);
    assertThat(admin.get("/api/v1/audit?action=access.refused").json()).hasSizeGreaterThanOrEqualTo(6);
  }

  @Test
  void diagnosticsTasksAreAdminOnlyAndCapped() {
    String deployer = AccessFixture.token(admin, "erin", "deployer");
    assertThat(admin.as(deployer).post("/api/v1/tasks", "{\"type\":\"noop\"}").code())
        .isEqualTo(403);
    TestClient.Reply tooLong = admin.post("/api/v1/tasks",
        "{\"type\":\"noop\",\"payload\":{\"sleepMillis\":60001}}");
    assertThat(tooLong.code()).isEqualTo(400);
    assertThat(tooLong.json().path("message").asText())
        .contains("payload.sleepMillis must be a number of milliseconds between 0 and 60000");
    assertThat(admin.post("/api/v1/tasks", "{\"type\":\"noop\",\"payload\":{\"sleepMillis\":60000}}")
        .code()).isEqualTo(201);
  }

  @Test
  void metricsNeedAViewerOnTheMainPort() {
    assertThat(admin.anonymous().get("/metrics").code()).isEqualTo(401);
    String viewer = AccessFixture.token(admin, "prometheus", "viewer");
    TestClient.Reply scraped = admin.get("/metrics", viewer);
    assertThat(scraped.code()).isEqualTo(200);
    assertThat(scraped.body()).contains("dbops_tasks_queued");
  }
}
