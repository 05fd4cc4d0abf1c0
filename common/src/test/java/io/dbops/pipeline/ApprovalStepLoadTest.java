package io.dbops.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code type: approval} steps in a pipeline file: read with their rule, and every problem listed. */
class ApprovalStepLoadTest {
  @TempDir Path dir;

  private Path write(String yaml) throws Exception {
    Path file = dir.resolve("pipeline.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  @Test
  void anApprovalStepNeedsNoChangelogAndKeepsItsRule() throws Exception {
    Pipeline p = new PipelineLoader().load(write("""
        name: orders
        stages:
          - name: prod
            database: {url: "jdbc:h2:mem:x", username: sa}
            steps:
              - {name: preview, type: preview, changelog: c.yaml}
              - name: approve
                type: approval
                approval: {required: 2, roles: [approver, admin], groups: [dba], starterMayApprove: true, timeoutSeconds: 600}
              - {name: plain, type: approval}
              - {name: apply, type: apply, changelog: c.yaml}
        """));
    Step approve = p.stages().get(0).steps().get(1);
    assertThat(approve.approval()).isEqualTo(new ApprovalRule(2, java.util.List.of("approver", "admin"),
        java.util.List.of("dba"), true, 600));
    assertThat(p.stages().get(0).steps().get(2).approval()).isNull();
  }

  @Test
  void everyProblemOfAnApprovalRuleIsListed() throws Exception {
    Path file = write("""
        name: orders
        stages:
          - name: prod
            database: {url: "jdbc:h2:mem:x", username: sa}
            steps:
              - name: approve
                type: approval
                approval: {required: 0, roles: [boss], groups: [""], timeoutSeconds: 0}
              - name: apply
                type: apply
                changelog: c.yaml
                approval: {required: 1}
        """);
    assertThatThrownBy(() -> new PipelineLoader().load(file)).isInstanceOfSatisfying(PipelineException.class,
        e -> assertThat(e.problems()).containsExactlyInAnyOrder(
            "stages[0].steps[0].approval.required must be between 1 and 20, not 0",
            "stages[0].steps[0].approval.roles: 'boss' is not a role; roles are [admin, approver, deployer, viewer]",
            "stages[0].steps[0].approval.groups must not hold an empty name",
            "stages[0].steps[0].approval.timeoutSeconds must be at least 1",
            "stages[1].steps[1].approval only applies to type approval".replace("stages[1]", "stages[0]")));
  }
}
