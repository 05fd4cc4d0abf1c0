package io.dbops.controlplane.executions;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OrchestratorTest {
  @Test
  void podNamesAreDnsLabels() {
    assertThat(Orchestrator.podName("ex-abc", "dev")).isEqualTo("dbops-ex-abc-dev");
    String longName = Orchestrator.podName("ex-abcdefghijkl", "a-very-long-stage-name-that-goes-on-and-on-");
    assertThat(longName).hasSizeLessThanOrEqualTo(63).matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?");
  }
}
