package io.dbops.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.api.ApiError;
import io.dbops.api.TokenCreated;
import io.dbops.protocol.Frame;
import io.dbops.support.Json;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DelegateHubIT {
  @TempDir Path dataDir;
  ControlPlane controlPlane;
  TestClient client;

  @BeforeEach
  void start() {
    controlPlane = new ControlPlane(Fixtures.config(dataDir));
    controlPlane.start();
    client = TestClient.of(controlPlane);
  }

  @AfterEach
  void stop() {
    controlPlane.close();
  }

  String newToken() {
    return client.post("/api/v1/tokens", "{\"name\":\"dev\"}").as(TokenCreated.class).token();
  }

  @Test
  void answersHealthAndUnknownRoutesWithApiError() {
    assertThat(client.get("/healthz").json().get("status").asText()).isEqualTo("ok");
    TestClient.Reply missing = client.get("/api/v1/nope");
    assertThat(missing.code()).isEqualTo(404);
    assertThat(missing.as(ApiError.class).code()).isEqualTo("not_found");
  }

  @Test
  void createsTokensAndKeepsOnlyTheirHash() throws Exception {
    TestClient.Reply created = client.post("/api/v1/tokens", "{\"name\":\"prod-eu\"}");
    assertThat(created.code()).isEqualTo(201);
    TokenCreated token = created.as(TokenCreated.class);
    assertThat(token.token()).startsWith("dbops_").hasSize(46);
    assertThat(token.name()).isEqualTo("prod-eu");

    TestClient.Reply list = client.get("/api/v1/tokens");
    assertThat(list.body()).contains("prod-eu").doesNotContain(token.token());
    assertThat(list.json().get(0).get("revoked").asBoolean()).isFalse();

    try (Connection c = DriverManager.getConnection(
            "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("controlplane"));
        ResultSet rs = c.createStatement().executeQuery("SELECT * FROM tokens")) {
      StringBuilder everything = new StringBuilder();
      while (rs.next()) {
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
          everything.append(rs.getString(i)).append('|');
        }
      }
      assertThat(everything.toString()).contains("prod-eu").doesNotContain(token.token())
          .doesNotContain(token.token().substring(6));
    }
  }

  @Test
  void refusesUpgradeWithoutOrWithWrongToken() throws Exception {
    for (String token : new String[] {null, "dbops_wrong"}) {
      TestDelegate d = new TestDelegate("i-1").open(client.http, controlPlane.baseUrl(), token);
      Response response = d.upgradeFailure.get(10, TimeUnit.SECONDS);
      assertThat(response.code()).isEqualTo(401);
      ApiError error = Json.mapper().readValue(d.failureBody.get(5, TimeUnit.SECONDS), ApiError.class);
      assertThat(error.code()).isEqualTo("unauthorized");
      assertThat(error.message()).contains("token");
    }
  }

  @Test
  void welcomesAHelloWithAGoodTokenAndListsTheDelegate() throws Exception {
    try (TestDelegate d = new TestDelegate("i-1")) {
      Frame.Welcome welcome = d.connect(client.http, controlPlane.baseUrl(), newToken(), 3,
          List.of("eu"));
      assertThat(welcome.protocolVersion()).isEqualTo(Frame.PROTOCOL_VERSION);
      assertThat(welcome.heartbeatIntervalSeconds()).isEqualTo(15);
      assertThat(welcome.sessionId()).isNotBlank();

      d.send(new Frame.Heartbeat(7, 1234));
      Frame.HeartbeatAck ack = d.expect(Frame.HeartbeatAck.class);
      assertThat(ack.seq()).isEqualTo(7);
      assertThat(ack.sentAtMillis()).isEqualTo(1234);

      var delegates = client.get("/api/v1/delegates").json();
      assertThat(delegates).hasSize(1);
      assertThat(delegates.get(0).get("instanceId").asText()).isEqualTo("i-1");
      assertThat(delegates.get(0).get("capacity").asInt()).isEqualTo(3);
      assertThat(delegates.get(0).get("tags").get(0).asText()).isEqualTo("eu");
    }
  }

  @Test
  void refusesAnIncompatibleProtocolVersionNamingBoth() throws Exception {
    try (TestDelegate d = new TestDelegate("i-2")) {
      d.open(client.http, controlPlane.baseUrl(), newToken());
      d.send(new Frame.Hello(2, "x", "i-2", "9", List.of(), 1, List.of()));
      Frame.Error error = d.expect(Frame.Error.class);
      assertThat(error.code()).isEqualTo("incompatible_version");
      assertThat(error.message()).isEqualTo("delegate speaks protocol 2, this control plane speaks 1");
      assertThat(d.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1002);
    }
  }

  @Test
  void requiresHelloFirst() throws Exception {
    try (TestDelegate d = new TestDelegate("i-3")) {
      d.open(client.http, controlPlane.baseUrl(), newToken());
      d.send(new Frame.Heartbeat(1, 1));
      assertThat(d.expect(Frame.Error.class).code()).isEqualTo("hello_required");
      assertThat(d.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1008);
    }
  }

  @Test
  void answersUnknownAndMalformedFramesWithErrorAndKeepsTheConnection() throws Exception {
    try (TestDelegate d = new TestDelegate("i-4")) {
      d.connect(client.http, controlPlane.baseUrl(), newToken(), 1, List.of());
      d.sendRaw("{\"type\":\"teleport\"}");
      Frame.Error unknown = d.expect(Frame.Error.class);
      assertThat(unknown.code()).isEqualTo("unknown_frame_type");
      assertThat(unknown.message()).contains("teleport");

      d.sendRaw("{not json");
      assertThat(d.expect(Frame.Error.class).code()).isEqualTo("malformed_frame");

      d.sendRaw("x".repeat(1_100_000));
      assertThat(d.expect(Frame.Error.class).code()).isEqualTo("frame_too_large");

      d.send(new Frame.Heartbeat(9, 9));
      assertThat(d.expect(Frame.HeartbeatAck.class).seq()).isEqualTo(9);
      assertThat(d.closed).isNotDone();
    }
  }
}
