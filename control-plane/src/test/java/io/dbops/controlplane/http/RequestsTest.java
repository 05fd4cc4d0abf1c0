package io.dbops.controlplane.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.dbops.support.Json;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestsTest {
  record Secret(String value, int version) {}

  static final String CANARY = "s3cr3t-CANARY-9f2";

  String problemOf(String body, Class<?> type) {
    return Requests.problem(catchThrowableOfType(() -> Json.mapper().readValue(body, type),
        JsonProcessingException.class));
  }

  @Test
  void aMalformedBodyIsDescribedWithoutQuotingIt() {
    String problem = problemOf("{\"value\": " + CANARY + "}", Secret.class);

    assertThat(problem).startsWith("it is not well-formed JSON (line 1, column ")
        .doesNotContain(CANARY);
  }

  @Test
  void aValueOfTheWrongTypeNamesItsFieldNotItsValue() {
    String problem = problemOf("{\"value\":\"x\",\"version\":\"" + CANARY + "\"}", Secret.class);

    assertThat(problem).startsWith("field 'version' has the wrong type").doesNotContain(CANARY);
    assertThat(problemOf("[\"" + CANARY + "\"]", Map.class)).doesNotContain(CANARY);
  }
}
