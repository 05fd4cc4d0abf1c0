package io.dbops.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.protocol.InitStagePayload;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StepContainerLayoutTest {
  private static InitStagePayload payload(int steps) {
    return new InitStagePayload("e1", "dev", "e1-dev", "dbops:1", steps, Map.of(), List.of(), 60);
  }

  @Test
  void stepsOfOneImageShareOneContainerAndItsPort() {
    StepContainerLayout layout = StepContainerLayout.of(payload(4), "dbops:1");

    assertThat(layout.containers()).isEqualTo(1);
    assertThat(layout.image(0)).isEqualTo("dbops:1");
    assertThat(layout.steps(0)).containsExactly(0, 1, 2, 3);
    assertThat(layout.stepPorts(List.of(20002))).containsExactly(20002, 20002, 20002, 20002);
  }

  @Test
  void twoStepsWithDifferentImagesGetTwoContainers() {
    StepContainerLayout layout = StepContainerLayout.of(payload(2).withStepImages(List.of("dbops:1", "tools:2")),
        "dbops:1");

    assertThat(layout.containers()).isEqualTo(2);
    assertThat(layout.image(0)).isEqualTo("dbops:1");
    assertThat(layout.image(1)).isEqualTo("tools:2");
    assertThat(layout.stepPorts(List.of(20002, 20003))).containsExactly(20002, 20003);
  }

  @Test
  void containersFollowTheOrderImagesFirstAppearAndAMissingImageIsThePodsImage() {
    StepContainerLayout layout = StepContainerLayout.of(
        payload(5).withStepImages(Arrays.asList("tools:2", null, " ", "tools:2")), "dbops:1");

    assertThat(layout.containers()).isEqualTo(2);
    assertThat(layout.image(0)).isEqualTo("tools:2");
    assertThat(layout.steps(0)).containsExactly(0, 3);
    assertThat(layout.steps(1)).containsExactly(1, 2, 4);
    assertThat(layout.containerOf(4)).isEqualTo(1);
    assertThat(layout.stepPorts(List.of(7, 8))).containsExactly(7, 8, 8, 7, 8);
  }

  @Test
  void aPodWithoutStepsHasNoStepContainer() {
    assertThat(StepContainerLayout.of(payload(0), "dbops:1").containers()).isZero();
  }
}
