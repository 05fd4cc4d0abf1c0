package io.dbops.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.api.ApiError;
import io.dbops.api.TokenCreated;
import io.dbops.protocol.Frame;
import io.dbops.protocol.FrameCodec;
import io.dbops.protocol.TaskStatus;
import io.dbops.protocol.TaskTypes;
import io.dbops.support.Json;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The long-poll transport: the same handshake, offers, claims and results over plain HTTP. */
class LongPollIT {
  static final String SESSIONS = "/api/v1/delegates/poll/sessions";
  @TempDir Path dataDir;
  ControlPlane controlPlane;
  TestClient client;
  String token;
  final FrameCodec codec = new FrameCodec();

  @BeforeEach
  void start() {
    controlPlane = new ControlPlane(Fixtures.builder(dataDir).periods(200, 200).build());
    controlPlane.start();
    client = TestClient.of(controlPlane);
    token = client.post("/api/v1/tokens", "{\"name\":\"lp\"}").as(TokenCreated.class).token();
  }

  @AfterEach
  void stop() {
    controlPlane.close();
  }

  /** Polls until a frame of {@code type} arrives (at most 10 s). */
  <T extends Frame> T pollFor(String sessionId, Class<T> type) throws Exception {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline) {
      TestClient.Reply reply = client.get(SESSIONS + "/" + sessionId + "/frames?waitMillis=2000", token);
      assertThat(reply.code()).as(reply.body()).isEqualTo(200);
      for (JsonNode f : reply.json()) {
        Frame frame = codec.decode(f.toString());
        if (type.isInstance(frame)) {
          return type.cast(frame);
        }
      }
    }
    throw new AssertionError("No " + type.getSimpleName() + " within 10 s");
  }

  void post(String sessionId, Frame... frames) {
    StringBuilder body = new StringBuilder("[");
    for (int i = 0; i < frames.length; i++) {
      body.append(i == 0 ? "" : ",").append(codec.encode(frames[i]));
    }
    TestClient.Reply reply = client.post(SESSIONS + "/" + sessionId + "/frames", body + "]", token);
    assertThat(reply.code()).as(reply.body()).isEqualTo(204);
  }

  @Test
  void runsATaskOverLongPollWithTheSameFramesAsTheWebSocket() throws Exception {
    TestClient.Reply opened = client.post(SESSIONS,
        codec.encode(TestDelegate.hello("inst-lp", 1, List.of())), token);
    assertThat(opened.code()).as(opened.body()).isEqualTo(201);
    String sessionId = opened.json().get("sessionId").asText();
    assertThat(opened.json().get("frames").get(0).get("type").asText()).isEqualTo("welcome");
    assertThat(client.get("/api/v1/delegates").json().get(0).get("transport").asText())
        .isEqualTo("long-poll");

    String taskId = client.post("/api/v1/tasks", Map.of("type", TaskTypes.NOOP)).json().get("id").asText();
    assertThat(pollFor(sessionId, Frame.TaskOffer.class).taskId()).isEqualTo(taskId);
    post(sessionId, new Frame.Claim(taskId), new Frame.Heartbeat(3, 4));
    Frame.TaskAssigned assigned = pollFor(sessionId, Frame.TaskAssigned.class);
    assertThat(assigned.taskId()).isEqualTo(taskId);
    post(sessionId, new Frame.TaskResult(taskId, assigned.attempt(), TaskStatus.SUCCEEDED, null,
        Json.mapper().createObjectNode()));
    assertThat(pollFor(sessionId, Frame.ResultAck.class).taskId()).isEqualTo(taskId);
    assertThat(client.get("/api/v1/tasks/" + taskId).json().get("status").asText()).isEqualTo("SUCCEEDED");

    assertThat(client.post(SESSIONS + "/" + sessionId + "/frames", "{\"type\":\"claim\"}", token).code())
        .as("the body must be an array").isEqualTo(400);
    assertThat(client.delete(SESSIONS + "/" + sessionId, token).code()).isEqualTo(204);
    TestClient.Reply gone = client.get(SESSIONS + "/" + sessionId + "/frames", token);
    assertThat(gone.code()).isEqualTo(404);
    assertThat(gone.as(ApiError.class).code()).isEqualTo("unknown_session");
    assertThat(client.get("/api/v1/delegates").json()).isEmpty();
  }

  @Test
  void refusesBadTokensAndIncompatibleVersionsWhenOpeningASession() {
    String hello = codec.encode(TestDelegate.hello("inst-x", 1, List.of()));
    assertThat(client.post(SESSIONS, hello, "dbops_wrong").code()).isEqualTo(401);
    assertThat(client.post(SESSIONS, hello, null).code()).isEqualTo(401);
    TestClient.Reply old = client.post(SESSIONS,
        codec.encode(new Frame.Hello(7, "x", "inst-x", "9", List.of(), 1, List.of())), token);
    assertThat(old.code()).isEqualTo(400);
    assertThat(old.as(ApiError.class).code()).isEqualTo("incompatible_version");
    assertThat(old.as(ApiError.class).message())
        .isEqualTo("delegate speaks protocol 7, this control plane speaks 1");
    assertThat(client.get("/api/v1/delegates").json()).isEmpty();
  }
}
