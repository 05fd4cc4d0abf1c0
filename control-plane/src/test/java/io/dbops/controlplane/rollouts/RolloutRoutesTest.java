package io.dbops.controlplane.rollouts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbops.controlplane.Refusal;
import org.junit.jupiter.api.Test;

class RolloutRoutesTest {
  @Test
  void theRetryBodyIsFailedOnlyTrueOrFalseAndEmptyMeansTrue() {
    assertThat(RolloutRoutes.failedOnly(null)).isTrue();
    assertThat(RolloutRoutes.failedOnly("")).isTrue();
    assertThat(RolloutRoutes.failedOnly("{}")).isTrue();
    assertThat(RolloutRoutes.failedOnly("{\"failedOnly\": true}")).isTrue();
    assertThat(RolloutRoutes.failedOnly("{\"failedOnly\": false}")).isFalse();
  }

  @Test
  void anotherBodyIsRefusedNamingTheField() {
    for (String bad : new String[] {"{\"failedOnly\": \"yes\"}", "{\"failed\": true}", "[true]", "not json",
        "{\"failedOnly\": true, \"x\": 1}"}) {
      assertThatThrownBy(() -> RolloutRoutes.failedOnly(bad)).as(bad).isInstanceOf(Refusal.class)
          .hasMessageContaining("failedOnly");
    }
  }

  @Test
  void aDecisionCoversOnlyTheSameSqlUnderTheSameRule() {
    String a = RolloutController.coverageKey("ab".repeat(32), "{\"required\":1}");
    assertThat(a).isEqualTo(RolloutController.coverageKey("ab".repeat(32), "{\"required\":1}"));
    assertThat(a).isNotEqualTo(RolloutController.coverageKey("ab".repeat(32), "{\"required\":2}"));
    assertThat(a).isNotEqualTo(RolloutController.coverageKey("cd".repeat(32), "{\"required\":1}"));
    assertThat(a).hasSizeLessThanOrEqualTo(200); // rollout_approvals.sql_hash
  }
}
