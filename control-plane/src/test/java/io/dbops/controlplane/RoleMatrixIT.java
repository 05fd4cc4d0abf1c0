package io.dbops.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.support.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The role matrix of docs/api.md ("Roles"), route class by route class: what viewer, deployer,
 * approver, admin and a deployer limited to the environment {@code prod} get. A row's path is
 * made fresh for every call, so that each allowed call meets a state it can succeed on.
 */
class RoleMatrixIT {
  static final List<String> ROLES = List.of("viewer", "deployer", "approver", "admin", "prod-deployer");

  @TempDir Path dataDir;
  ControlPlane controlPlane;
  TestClient admin;
  final Map<String, String> tokens = new LinkedHashMap<>();
  final AtomicInteger counter = new AtomicInteger();

  /** One route class: its request, and the status each role gets, in {@link #ROLES} order. */
  record Row(String method, Supplier<String> path, String body, int viewer, int deployer,
      int approver, int admin, int prodDeployer) {
    int expected(String role) {
      return switch (role) {
        case "viewer" -> viewer;
        case "deployer" -> deployer;
        case "approver" -> approver;
        case "admin" -> admin;
        default -> prodDeployer;
      };
    }
  }

  @BeforeEach
  void start() {
    controlPlane = new ControlPlane(Fixtures.config(dataDir));
    controlPlane.start();
    admin = TestClient.of(controlPlane);
    for (String role : List.of("viewer", "deployer", "approver", "admin")) {
      tokens.put(role, AccessFixture.token(admin, role + "-token", role));
    }
    tokens.put("prod-deployer", AccessFixture.token(admin, "prod-deployer-token",
        List.of("deployer"), List.of("prod"), List.of()));
  }

  @AfterEach
  void stop() {
    controlPlane.close();
  }

  String execution() {
    return admin.post("/api/v1/executions", pipeline()).json().path("id").asText();
  }

  String secret() {
    String name = "s" + counter.incrementAndGet();
    assertThat(admin.put("/api/v1/secrets/" + name, Map.of("value", "v")).code()).isEqualTo(201);
    return name;
  }

  String task() {
    return admin.post("/api/v1/tasks", "{\"type\":\"noop\"}").json().path("id").asText();
  }

  static String pipeline() {
    return Json.write(Fixtures.pipeline("orders", Fixtures.step("update", "apply")));
  }

  static final String STORED_PIPELINE = "{\"stages\":[{\"name\":\"dev\",\"target\":\"orders-dev\","
      + "\"steps\":[{\"name\":\"s\",\"type\":\"status\",\"changelog\":\"c.xml\"}]}]}";

  String environment() {
    String name = "e" + counter.incrementAndGet();
    assertThat(admin.put("/api/v1/environments/" + name, "{}").code()).isEqualTo(201);
    return name;
  }

  @Test
  void eachRoleGetsExactlyWhatTheMatrixSays() {
    String ex = execution();
    assertThat(admin.put("/api/v1/environments/dev", "{}").code()).isEqualTo(201);
    assertThat(admin.put("/api/v1/targets/orders-dev",
        "{\"environment\":\"dev\",\"url\":\"jdbc:h2:mem:x\"}").code()).isEqualTo(201);
    assertThat(admin.put("/api/v1/pipelines/p?baseDirectory=/r", STORED_PIPELINE).code())
        .isEqualTo(201);
    List<Row> rows = List.of(
        //                                                                     viewer deployer approver admin prod-deployer
        new Row("GET", () -> "/api/v1/whoami", null,                            200, 200, 200, 200, 200),
        new Row("GET", () -> "/metrics", null,                                  200, 200, 200, 200, 200),
        new Row("GET", () -> "/api/v1/executions", null,                        200, 200, 200, 200, 200),
        new Row("GET", () -> "/api/v1/executions/" + ex, null,                  200, 200, 200, 200, 200),
        new Row("GET", () -> "/api/v1/executions/" + ex + "/logs", null,        200, 200, 200, 200, 200),
        new Row("GET", () -> "/api/v1/executions/" + ex + "/logs/streams", null, 200, 200, 200, 200, 200),
        new Row("GET", () -> "/api/v1/delegates", null,                         200, 200, 200, 200, 200),
        new Row("POST", () -> "/api/v1/executions", pipeline(),                 403, 201, 403, 201, 403),
        new Row("POST", () -> "/api/v1/executions/" + execution() + "/abort", "{}",
                                                                                403, 202, 403, 202, 403),
        new Row("GET", () -> "/api/v1/approvals", null,                         200, 200, 200, 200, 200),
        new Row("GET", () -> "/api/v1/executions/" + ex + "/approvals", null,   200, 200, 200, 200, 200),
        // an execution without an approval step: the approver roles get past the route rule to 409
        new Row("POST", () -> "/api/v1/executions/" + ex + "/approvals", "{\"decision\":\"approve\"}",
                                                                                403, 403, 409, 409, 403),
        // run verb; the execution is not paused: 409 once access is granted
        new Row("POST", () -> "/api/v1/executions/" + ex + "/resume", "{\"action\":\"retry\"}",
                                                                                403, 409, 403, 409, 403),
        new Row("GET", () -> "/api/v1/secrets", null,                           403, 403, 403, 200, 403),
        new Row("PUT", () -> "/api/v1/secrets/n" + counter.incrementAndGet(), "{\"value\":\"v\"}",
                                                                                403, 403, 403, 201, 403),
        new Row("DELETE", () -> "/api/v1/secrets/" + secret(), null,            403, 403, 403, 200, 403),
        new Row("GET", () -> "/api/v1/tokens", null,                            403, 403, 403, 200, 403),
        new Row("POST", () -> "/api/v1/tokens", "{\"name\":\"d\"}",             403, 403, 403, 201, 403),
        new Row("GET", () -> "/api/v1/access/tokens", null,                     403, 403, 403, 200, 403),
        new Row("POST", () -> "/api/v1/access/tokens", "{\"name\":\"x\",\"roles\":[\"viewer\"]}",
                                                                                403, 403, 403, 201, 403),
        new Row("GET", () -> "/api/v1/access/routes", null,                     403, 403, 403, 200, 403),
        new Row("POST", () -> "/api/v1/tasks", "{\"type\":\"noop\"}",           403, 403, 403, 201, 403),
        new Row("GET", () -> "/api/v1/tasks/" + task(), null,                   403, 403, 403, 200, 403),
        new Row("GET", () -> "/api/v1/audit", null,                             403, 403, 403, 200, 403),
        new Row("GET", () -> "/api/v1/audit/verify", null,                      403, 403, 403, 200, 403),
        new Row("GET", () -> "/api/v1/environments", null,                      200, 200, 200, 200, 200),
        new Row("GET", () -> "/api/v1/targets/orders-dev", null,                200, 200, 200, 200, 200),
        new Row("GET", () -> "/api/v1/pipelines/p/versions", null,              200, 200, 200, 200, 200),
        new Row("PUT", () -> "/api/v1/environments/n" + counter.incrementAndGet(), "{}",
                                                                                403, 403, 403, 201, 403),
        new Row("DELETE", () -> "/api/v1/environments/" + environment(), null,  403, 403, 403, 200, 403),
        new Row("PUT", () -> "/api/v1/pipelines/n" + counter.incrementAndGet() + "?baseDirectory=/r",
            STORED_PIPELINE,                                                    403, 201, 403, 201, 403),
        new Row("POST", () -> "/api/v1/pipelines/p/runs", "{}",                 403, 201, 403, 201, 403),
        new Row("POST", () -> "/api/v1/apply?dryRun=true&baseDirectory=/r",
            "{\"apiVersion\":\"dbops/v1\",\"environments\":[{\"name\":\"dev\"}]}",
                                                                                403, 403, 403, 200, 403),
        // issue 16: webhooks and notification endpoints are the admin's (verb configure)
        new Row("GET", () -> "/api/v1/webhooks", null,                          200, 200, 200, 200, 200),
        new Row("POST", () -> "/api/v1/webhooks", "{\"name\":\"w" + counter.incrementAndGet()
            + "\",\"format\":\"generic\",\"pipeline\":\"p\",\"refInput\":null}",
                                                                                403, 403, 403, 201, 403),
        new Row("DELETE", () -> "/api/v1/webhooks/none", null,                  403, 403, 403, 404, 403),
        new Row("GET", () -> "/api/v1/notifications", null,                     200, 200, 200, 200, 200),
        // no DBOPS_NOTIFY_ALLOW_HOSTS here: the admin gets past the rule to 400 (host not allowed)
        new Row("POST", () -> "/api/v1/notifications", "{\"name\":\"n\",\"url\":\"https://x.example/h\","
            + "\"events\":[\"failed\"]}",                                        403, 403, 403, 400, 403),
        new Row("DELETE", () -> "/api/v1/notifications/none", null,             403, 403, 403, 404, 403));
    List<String> mismatches = new ArrayList<>();
    for (Row row : rows) {
      for (String role : ROLES) {
        String path = row.path().get();
        TestClient.Reply reply = admin.send(row.method(), path, row.body(), tokens.get(role));
        if (reply.code() != row.expected(role)) {
          mismatches.add(role + " " + row.method() + " " + path + ": expected " + row.expected(role)
              + ", got " + reply.code() + " " + reply.body());
        }
      }
    }
    assertThat(mismatches).isEmpty();
  }

  @Test
  void aDeployerLimitedToEnvironmentsCannotRunAPipelineThatNamesNone() {
    TestClient.Reply refused = admin.as(tokens.get("prod-deployer"))
        .post("/api/v1/executions", pipeline());
    assertThat(refused.code()).isEqualTo(403);
    assertThat(refused.json().path("message").asText())
        .contains("Token 'prod-deployer-token' is limited to environment(s) [prod] and pipeline"
            + " 'orders' names no environment")
        .contains("rule: token environments");
  }

  @Test
  void whoamiDescribesTheCallersToken() {
    TestClient.Reply me = admin.get("/api/v1/whoami", tokens.get("prod-deployer"));
    assertThat(me.json().path("name").asText()).isEqualTo("prod-deployer-token");
    assertThat(me.json().path("kind").asText()).isEqualTo("user");
    assertThat(me.json().path("roles").toString()).isEqualTo("[\"deployer\"]");
    assertThat(me.json().path("environments").toString()).isEqualTo("[\"prod\"]");
    assertThat(me.json().path("verbs").toString()).isEqualTo("[]");
    assertThat(me.json().has("expiresAt")).isTrue();
    assertThat(me.body()).doesNotContain(tokens.get("prod-deployer"));
  }
}
