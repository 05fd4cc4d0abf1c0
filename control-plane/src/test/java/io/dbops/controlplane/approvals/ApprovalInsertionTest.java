package io.dbops.controlplane.approvals;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.pipeline.ApprovalRule;
import io.dbops.pipeline.Database;
import io.dbops.pipeline.Pipeline;
import io.dbops.pipeline.PipelineValidator;
import io.dbops.pipeline.Stage;
import io.dbops.pipeline.Step;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The environment rule: preview, rollback preview and approval before the first apply. */
class ApprovalInsertionTest {
  private static final ApprovalRule PROD = new ApprovalRule(2, List.of("approver"), List.of(), false, 600);
  private static final Function<String, Optional<ApprovalRule>> RULES =
      env -> "prod".equals(env) ? Optional.of(PROD) : Optional.empty();

  private static Step step(String name, String type) {
    return new Step(name, type, "db/changelog.xml", "/repo", "prod", "v2", null, null, Map.of("p", "1"), null);
  }

  private static Step rollbackPreview(String name) {
    return new Step(name, "preview", "db/changelog.xml", "/repo", null, null, null, null, Map.of(), null, null,
        null, null, true, null, null, null, null, null, null);
  }

  private static Stage stage(String name, String environment, Step... steps) {
    return new Stage(name, new Database("jdbc:postgresql://db:5432/" + name, "u", null), List.of(steps), List.of(),
        0, null, null, environment, null, null);
  }

  private static List<String> names(Stage stage) {
    return stage.steps().stream().map(s -> s.name() + ":" + s.type()).toList();
  }

  @Test
  void aStageOfAnEnvironmentWithARuleGetsPreviewsAndApprovalBeforeItsFirstApply() {
    Pipeline p = new Pipeline("deploy", List.of(
        stage("staging", "staging", step("validate", "validate"), step("apply", "apply")),
        stage("prod", "prod", step("validate", "validate"), step("apply", "apply"), step("status", "status"))));

    Pipeline out = ApprovalInsertion.apply(p, RULES);

    assertThat(out.stages().get(0)).isSameAs(p.stages().get(0));
    Stage prod = out.stages().get(1);
    assertThat(names(prod)).containsExactly("validate:validate", "approval-preview:preview",
        "approval-rollback-preview:preview", "approval:approval", "apply:apply", "status:status");
    Step preview = prod.steps().get(1);
    assertThat(preview.changelog()).isEqualTo("db/changelog.xml");
    assertThat(preview.searchPath()).isEqualTo("/repo");
    assertThat(preview.contexts()).isEqualTo("prod");
    assertThat(preview.labels()).isEqualTo("v2");
    assertThat(preview.parameters()).containsEntry("p", "1");
    assertThat(preview.rollback()).isNull();
    assertThat(prod.steps().get(2).rollback()).isTrue();
    assertThat(prod.steps().get(3).approval()).isEqualTo(PROD);
    // what was inserted passes the validator
    new PipelineValidator().validate("test", out);
  }

  @Test
  void stepsTheStageAlreadyHasBeforeTheApplyAreNotInsertedAgain() {
    Stage prod = stage("prod", "prod", step("preview", "preview"), rollbackPreview("undo"), step("apply", "apply"));
    assertThat(names(ApprovalInsertion.apply(new Pipeline("p", List.of(prod)), RULES).stages().get(0)))
        .containsExactly("preview:preview", "undo:preview", "approval:approval", "apply:apply");
  }

  @Test
  void aStageWithAnApprovalBeforeItsApplyIsLeftAloneButAnApprovalWithoutRuleGetsTheEnvironments() {
    Step own = new Step("ok", "approval", null, null, null, null, null, null, null, null, null, null, null, null,
        null, null, null, null, null, null, null, new ApprovalRule(1, List.of("admin"), List.of(), true, 60));
    Stage withOwn = stage("prod", "prod", step("preview", "preview"), own, step("apply", "apply"));
    Pipeline p = new Pipeline("p", List.of(withOwn));
    assertThat(ApprovalInsertion.apply(p, RULES)).isSameAs(p);

    Stage withoutRule = stage("prod", "prod", step("preview", "preview"), step("ok", "approval"),
        step("apply", "apply"));
    Stage out = ApprovalInsertion.apply(new Pipeline("p", List.of(withoutRule)), RULES).stages().get(0);
    assertThat(names(out)).containsExactly("preview:preview", "ok:approval", "apply:apply");
    assertThat(out.steps().get(1).approval()).isEqualTo(PROD);
  }

  @Test
  void noEnvironmentNoRuleOrNoApplyChangesNothing() {
    Pipeline p = new Pipeline("p", List.of(stage("a", null, step("apply", "apply")),
        stage("b", "dev", step("apply", "apply")), stage("c", "prod", step("status", "status"))));
    assertThat(ApprovalInsertion.apply(p, RULES)).isSameAs(p);
  }

  @Test
  void insertedNamesDoNotCollideWithTheStagesOwn() {
    Stage prod = stage("prod", "prod", step("approval", "validate"), step("approval-preview", "status"),
        step("apply", "apply"));
    Stage out = ApprovalInsertion.apply(new Pipeline("p", List.of(prod)), RULES).stages().get(0);
    assertThat(names(out)).containsExactly("approval:validate", "approval-preview:status",
        "approval-preview-2:preview", "approval-rollback-preview:preview", "approval-2:approval", "apply:apply");
  }

  @Test
  void onlyTheFirstApplyOfAStageIsGuarded() {
    Stage prod = stage("prod", "prod", step("apply", "apply"), step("more", "apply"));
    assertThat(names(ApprovalInsertion.apply(new Pipeline("p", List.of(prod)), RULES).stages().get(0)))
        .containsExactly("approval-preview:preview", "approval-rollback-preview:preview", "approval:approval",
            "apply:apply", "more:apply");
  }
}
