package io.dbops.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.support.Json;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit log: who did what, with what outcome; the hash chain; never a secret value. */
class AuditIT {
  @TempDir Path dataDir;
  ControlPlane controlPlane;
  TestClient admin;

  @BeforeEach
  void start() {
    controlPlane = new ControlPlane(Fixtures.config(dataDir));
    controlPlane.start();
    admin = TestClient.of(controlPlane);
  }

  @AfterEach
  void stop() {
    controlPlane.close();
  }

  JsonNode entries(String query) {
    TestClient.Reply reply = admin.get("/api/v1/audit" + query);
    assertThat(reply.code()).as(reply.body()).isEqualTo(200);
    return reply.json();
  }

  @Test
  void recordsMutatingCallsWithActorTargetAndOutcomeAndNeverASecretValue() throws Exception {
    String canary = "canary-" + UUID.randomUUID();
    String alice = AccessFixture.token(admin, "alice", "deployer");
    assertThat(admin.put("/api/v1/secrets/orders_db_password", Map.of("value", canary)).code())
        .isEqualTo(201);
    assertThat(admin.put("/api/v1/secrets/orders_db_password", Map.of("value", canary + "2"))
        .code()).isEqualTo(200);
    String id = admin.as(alice).post("/api/v1/executions",
        Json.write(Fixtures.pipeline("orders", Fixtures.step("update", "apply"))))
        .json().path("id").asText();
    assertThat(admin.as(alice).post("/api/v1/executions/" + id + "/abort", "{}").code())
        .isEqualTo(202);
    assertThat(admin.as(alice).delete("/api/v1/secrets/orders_db_password").code()).isEqualTo(403);
    assertThat(admin.delete("/api/v1/secrets/orders_db_password").code()).isEqualTo(200);

    JsonNode created = entries("?action=access.token.create").get(0);
    assertThat(created.path("actor").asText()).startsWith("bootstrap-admin (pat-");
    assertThat(created.path("target").asText()).startsWith("alice (pat-");
    assertThat(created.path("outcome").asText()).isEqualTo("ok");
    assertThat(created.path("details").path("roles").asText()).isEqualTo("deployer");
    assertThat(created.path("address").asText()).isNotBlank();

    JsonNode puts = entries("?action=secret.put&target=orders_db_password");
    assertThat(puts).hasSize(2);
    assertThat(puts.get(0).path("outcome").asText()).isEqualTo("ok");

    JsonNode submitted = entries("?action=execution.submit").get(0);
    assertThat(submitted.path("actor").asText()).startsWith("alice (pat-");
    assertThat(submitted.path("target").asText()).isEqualTo(id);
    assertThat(submitted.path("details").path("pipeline").asText()).isEqualTo("orders");
    assertThat(entries("?action=execution.abort").get(0).path("actor").asText())
        .startsWith("alice (");
    await().atMost(Duration.ofSeconds(30)).until(() ->
        entries("?action=execution.finish&target=" + id).size() == 1);
    JsonNode finished = entries("?action=execution.finish").get(0);
    assertThat(finished.path("actor").asText()).isEqualTo("system");
    assertThat(finished.path("outcome").asText()).isEqualTo("failed");

    JsonNode refused = entries("?action=access.refused&actor=alice").get(0);
    assertThat(refused.path("target").asText()).isEqualTo("DELETE /api/v1/secrets/{name}");
    assertThat(refused.path("outcome").asText()).isEqualTo("refused: 403 forbidden");
    assertThat(entries("?action=secret.delete").get(0).path("outcome").asText()).isEqualTo("ok");

    JsonNode all = entries("?limit=1000");
    assertThat(all.get(0).path("seq").asLong()).isGreaterThan(all.get(1).path("seq").asLong());
    assertThat(all.toString()).doesNotContain(canary);
    try (Connection c = AccessFixture.h2(dataDir);
        ResultSet rs = c.createStatement().executeQuery("SELECT * FROM audit_log")) {
      StringBuilder everything = new StringBuilder();
      while (rs.next()) {
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
          everything.append(rs.getString(i)).append('|');
        }
      }
      assertThat(everything.toString()).contains("orders_db_password").doesNotContain(canary);
    }
    assertThat(admin.get("/api/v1/audit/verify").json().path("ok").asBoolean()).isTrue();
  }

  @Test
  void recordsDelegateRegistrationsAcceptedAndRefused() throws Exception {
    String token = admin.post("/api/v1/tokens", "{\"name\":\"eu\"}").json().path("token").asText();
    try (TestDelegate d = new TestDelegate("inst-1")) {
      d.connect(admin.http, controlPlane.baseUrl(), token, 1, List.of());
      await().atMost(Duration.ofSeconds(10)).until(() ->
          entries("?action=delegate.hello").size() == 1);
    }
    JsonNode hello = entries("?action=delegate.hello").get(0);
    assertThat(hello.path("outcome").asText()).isEqualTo("accepted");
    assertThat(hello.path("actor").asText()).startsWith("delegate token tok-");
    assertThat(hello.path("target").asText()).contains("inst-1");
    assertThat(hello.toString()).doesNotContain(token);

    TestClient.Reply refused = admin.anonymous().post("/api/v1/delegates/poll/sessions",
        Json.write(TestDelegate.hello("inst-2", 1, List.of())));
    assertThat(refused.code()).isEqualTo(401);
    JsonNode connect = entries("?action=delegate.connect").get(0);
    assertThat(connect.path("outcome").asText()).isEqualTo("refused: 401 unauthorized");
  }

  @Test
  void verifyNamesTheFirstEditedOrRemovedEntry() throws Exception {
    for (int i = 0; i < 5; i++) {
      admin.put("/api/v1/secrets/s" + i, Map.of("value", "v"));
    }
    JsonNode ok = admin.get("/api/v1/audit/verify").json();
    assertThat(ok.path("ok").asBoolean()).isTrue();
    long entries = ok.path("entries").asLong();
    assertThat(entries).isGreaterThanOrEqualTo(5);

    assertThat(AccessFixture.update(dataDir,
        "UPDATE audit_log SET actor = 'someone else' WHERE seq = 3")).isEqualTo(1);
    JsonNode edited = admin.get("/api/v1/audit/verify").json();
    assertThat(edited.path("ok").asBoolean()).isFalse();
    assertThat(edited.path("firstBad").path("seq").asLong()).isEqualTo(3);
    assertThat(edited.path("firstBad").path("reason").asText()).contains("edited");

    AccessFixture.update(dataDir, "DELETE FROM audit_log WHERE seq = 3");
    JsonNode removed = admin.get("/api/v1/audit/verify").json();
    assertThat(removed.path("ok").asBoolean()).isFalse();
    assertThat(removed.path("firstBad").path("seq").asLong()).isEqualTo(3);
    assertThat(removed.path("firstBad").path("reason").asText()).contains("missing");

    // renumbering the rest to hide the gap breaks the links instead
    AccessFixture.update(dataDir, "UPDATE audit_log SET seq = seq - 1 WHERE seq > 3");
    JsonNode renumbered = admin.get("/api/v1/audit/verify").json();
    assertThat(renumbered.path("ok").asBoolean()).isFalse();
    assertThat(renumbered.path("firstBad").path("seq").asLong()).isEqualTo(3);
  }
}
