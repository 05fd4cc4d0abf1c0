package io.dbops.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbops.protocol.FrameCodec.MalformedFrameException;
import io.dbops.support.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FrameCodecTest {
  private final FrameCodec codec = new FrameCodec();

  @Test
  void roundTripsEveryFrameType() throws Exception {
    List<Frame> frames = List.of(
        new Frame.Hello(1, "d", "i-1", "0.1.0", List.of("eu"), 5, TaskTypes.ALL),
        new Frame.Welcome(1, "s-1", 15),
        new Frame.Heartbeat(3, 1000L),
        new Frame.HeartbeatAck(3, 1000L),
        new Frame.TaskOffer("t-1", TaskTypes.INIT_STAGE),
        new Frame.Claim("t-1"),
        new Frame.TaskAssigned("t-1", TaskTypes.INIT_STAGE, 1, 300, 60, Json.tree(Map.of("a", 1))),
        new Frame.ClaimRejected("t-1", "already taken"),
        new Frame.TaskResult("t-1", 1, TaskStatus.SUCCEEDED, null, Json.tree(Map.of("b", "x"))),
        new Frame.ResultAck("t-1"),
        new Frame.Error("malformed_frame", "bad"),
        new Frame.Hello(1, "d", "i-1", "0.1.0", List.of(), 5, TaskTypes.ALL,
            List.of(new Frame.RunningTask("t-2", 3)), List.of(new Frame.RunningTask("t-4", 1))),
        new Frame.TaskOffer("t-3", TaskTypes.EXECUTE_STEP, "db.internal:5432"),
        new Frame.ClaimDeclined("t-3", "cannot reach db.internal:5432"),
        new Frame.LeaseRenew(List.of("t-1", "t-2")),
        new Frame.Abort("t-1", "aborted by user"),
        new Frame.TaskRelease("t-1", "draining"),
        new Frame.Draining("SIGTERM"),
        new Frame.Revoked("token revoked"),
        new Frame.Goodbye("shutdown"));
    for (Frame frame : frames) {
      assertThat(codec.decode(codec.encode(frame))).isEqualTo(frame);
    }
  }

  @Test
  void writesTheTypeNameDocumentedInTheProtocol() {
    assertThat(codec.encode(new Frame.HeartbeatAck(1, 2))).contains("\"type\":\"heartbeat_ack\"");
    assertThat(codec.encode(new Frame.TaskResult("t", 1, TaskStatus.FAILED, "e", null)))
        .contains("\"type\":\"task_result\"");
  }

  @Test
  void ignoresUnknownFields() throws Exception {
    Frame frame = codec.decode("{\"type\":\"claim\",\"taskId\":\"t-9\",\"priority\":7}");
    assertThat(frame).isEqualTo(new Frame.Claim("t-9"));
  }

  @Test
  void refusesUnknownTypeWithItsName() {
    assertThatThrownBy(() -> codec.decode("{\"type\":\"teleport\"}"))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessageContaining("'teleport'")
        .extracting(e -> ((MalformedFrameException) e).code()).isEqualTo("unknown_frame_type");
  }

  @Test
  void refusesMissingType() {
    assertThatThrownBy(() -> codec.decode("{\"taskId\":\"t\"}"))
        .isInstanceOf(MalformedFrameException.class)
        .extracting(e -> ((MalformedFrameException) e).code()).isEqualTo("unknown_frame_type");
  }

  @Test
  void refusesMalformedJson() {
    assertThatThrownBy(() -> codec.decode("{\"type\":\"claim\",")).isInstanceOf(MalformedFrameException.class)
        .extracting(e -> ((MalformedFrameException) e).code()).isEqualTo("malformed_frame");
    assertThatThrownBy(() -> codec.decode("null")).isInstanceOf(MalformedFrameException.class);
  }

  @Test
  void refusesOversizedFrameWithoutParsing() {
    String huge = "{\"type\":\"claim\",\"taskId\":\"" + "x".repeat(FrameCodec.MAX_FRAME_CHARS) + "\"}";
    assertThatThrownBy(() -> codec.decode(huge))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessageContaining("exceeds the limit")
        .extracting(e -> ((MalformedFrameException) e).code()).isEqualTo("frame_too_large");
  }
}
