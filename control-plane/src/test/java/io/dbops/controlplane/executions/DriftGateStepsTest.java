package io.dbops.controlplane.executions;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.pipeline.ApprovalRule;
import io.dbops.pipeline.Pipeline;
import io.dbops.pipeline.Stage;
import io.dbops.pipeline.Step;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DriftGateStepsTest {
  private static Step step(String name, String type) {
    return new Step(name, type, "db/changelog.xml", "/repo", "ctx", null, null, null, null, null);
  }

  private static Pipeline pipeline(String environment, Step... steps) {
    return new Pipeline("p", List.of(new Stage("s", null, List.of(steps), List.of(), 0, null, "t1", environment,
        null, null)));
  }

  @Test
  void aGatedStageGetsADriftStepAndItsOverrideBeforeTheApprovalBlockOfItsFirstApply() {
    Pipeline p = pipeline("prod", step("validate", "validate"), step("approval-preview", "preview"),
        step("approval", "approval"), step("apply", "apply"), step("apply-2", "apply"));

    Pipeline gated = DriftGateSteps.apply(p, "prod"::equals, env -> Optional.empty());

    List<Step> steps = gated.stages().get(0).steps();
    assertThat(steps).extracting(Step::name).containsExactly("validate", "drift-gate", "drift-override",
        "approval-preview", "approval", "apply", "apply-2");
    Step drift = steps.get(1);
    assertThat(drift.type()).isEqualTo("drift");
    assertThat(drift.changelog()).isEqualTo("db/changelog.xml");
    assertThat(drift.searchPath()).isEqualTo("/repo");
    assertThat(drift.contexts()).isEqualTo("ctx");
    assertThat(drift.failOnDrift()).isFalse(); // it reports; the override step decides
    assertThat(steps.get(2).type()).isEqualTo("approval");
    assertThat(DriftGateSteps.isOverride(gated.stages().get(0), 2)).isTrue();
    assertThat(DriftGateSteps.isOverride(gated.stages().get(0), 4)).isFalse();
  }

  @Test
  void theOverrideUsesTheEnvironmentsApprovalRule() {
    ApprovalRule rule = new ApprovalRule(2, null, null, null, null);
    Pipeline gated = DriftGateSteps.apply(pipeline("prod", step("apply", "apply")), e -> true, e -> Optional.of(rule));
    assertThat(gated.stages().get(0).steps().get(1).approval()).isEqualTo(rule);
  }

  @Test
  void ungatedEnvironmentsStagesWithoutApplyAndAdHocDatabasesAreLeftAlone() {
    Pipeline staging = pipeline("staging", step("apply", "apply"));
    assertThat(DriftGateSteps.apply(staging, "prod"::equals, e -> Optional.empty())).isSameAs(staging);
    Pipeline noApply = pipeline("prod", step("status", "status"));
    assertThat(DriftGateSteps.apply(noApply, "prod"::equals, e -> Optional.empty()).stages().get(0).steps())
        .extracting(Step::name).containsExactly("status");
    Pipeline adHoc = pipeline(null, step("apply", "apply"));
    assertThat(DriftGateSteps.apply(adHoc, e -> true, e -> Optional.empty())).isSameAs(adHoc);
  }

  @Test
  void driftDifferencesAreDescribedAsTheStepRuntimeLogsThem() {
    String json = "[{\"change\":\"extra\",\"objectType\":\"column\",\"table\":\"person\",\"name\":\"nickname\","
        + "\"expected\":\"\",\"actual\":\"varchar(50) NULL\"},{\"change\":\"missing\",\"objectType\":\"table\","
        + "\"table\":\"audit\",\"name\":\"audit\",\"expected\":\"\",\"actual\":\"\"}]";
    assertThat(DriftGateSteps.differences(json)).containsExactly(
        "extra column person.nickname: varchar(50) NULL", "missing table audit");
  }
}
