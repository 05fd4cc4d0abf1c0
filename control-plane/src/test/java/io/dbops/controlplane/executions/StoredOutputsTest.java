package io.dbops.controlplane.executions;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.protocol.StepOutput;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StoredOutputsTest {
  static StepOutput output(Map<String, String> outputs) {
    return new StepOutput("SUCCEEDED", null, outputs, List.of(), 5, 1, 0);
  }

  @Test
  void anApplyKeepsItsHistoryCountButNotItsRows() {
    StepOutput apply = output(Map.of("changesetsApplied", "3", "historyCount", "2000",
        "historyGzip", "H4sI...", "preStartTag", "dbops-pre-x"));

    assertThat(StoredOutputs.withoutHistory(apply, false).outputs())
        .containsOnlyKeys("changesetsApplied", "historyCount", "preStartTag");
  }

  @Test
  void aHistoryStepKeepsItsRowsExceptInARefresh() {
    StepOutput history = output(Map.of("count", "2", "history", "[{},{}]", "historyCount", "2"));

    assertThat(StoredOutputs.withoutHistory(history, false)).isSameAs(history);
    assertThat(StoredOutputs.withoutHistory(history, true).outputs())
        .containsOnlyKeys("count", "historyCount");
  }

  @Test
  void outputsWithoutHistoryAndMissingOutputsAreKeptAsTheyAre() {
    StepOutput policy = output(Map.of("violationCount", "0"));

    assertThat(StoredOutputs.withoutHistory(policy, false)).isSameAs(policy);
    assertThat(StoredOutputs.withoutHistory(null, true)).isNull();
  }
}
