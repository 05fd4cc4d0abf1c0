package io.dbops.cli.output;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.api.LogPage;
import org.junit.jupiter.api.Test;

class ExecutionFollowerTest {
  @Test
  void prefixesStepLinesWithStageAndStep() {
    String line = ExecutionFollower.format("ex-1",
        new LogPage.Line(4, "executions/ex-1/dev/apply", 2, 0, "INFO", "Applying changeset 1"));
    assertThat(line).endsWith(" [dev/apply] Applying changeset 1");
  }

  @Test
  void marksControlLinesAndNonInfoLevels() {
    String line = ExecutionFollower.format("ex-1",
        new LogPage.Line(5, "executions/ex-1/control", 1, 0, "ERROR", "Stage dev failed"));
    assertThat(line).endsWith(" [dbops] ERROR Stage dev failed");
  }
}
