package io.dbops.cli.commands;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.support.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExecutionsCommandTest {
  @Test
  void showsTheProgressOfTheOpenStreamThatReportedLast() throws Exception {
    List<JsonNode> streams = List.of(
        stream("executions/ex-1/dev/validate", true, "2026-01-10T10:00:00Z", 5, 5),
        stream("executions/ex-1/dev/apply", false, "2026-01-10T10:00:01.5Z", 3, 12),
        stream("executions/ex-1/control", false, "2026-01-10T10:00:02Z", -1, 0));

    assertThat(ExecutionsCommand.progress("ex-1", streams)).isEqualTo("dev/apply: changeset 3 of 12");
    assertThat(ExecutionsCommand.progress("ex-1", List.of())).isEmpty();
  }

  private static JsonNode stream(String key, boolean closed, String updatedAt, int done, int total) throws Exception {
    String progress = done < 0 ? "null" : "{\"done\":" + done + ",\"total\":" + total + ",\"item\":\"x\"}";
    return Json.mapper().readTree("{\"stream\":\"" + key + "\",\"lastSeq\":4,\"closed\":" + closed
        + ",\"progress\":" + progress + ",\"updatedAt\":\"" + updatedAt + "\"}");
  }
}
