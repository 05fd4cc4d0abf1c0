package io.dbops.controlplane.approvals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbops.controlplane.Refusal;
import io.dbops.pipeline.ApprovalRule;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The decision rules with a clock the test moves. */
class ApprovalDecisionsTest {
  private static final String WHAT = "step 'approve' of stage 'prod' of execution ex-1";
  private Clock clock = Clock.fixed(Instant.parse("2026-12-07T08:00:00Z"), ZoneOffset.UTC);

  private static final Approver ALICE = new Approver("alice", "pat-a", Set.of("deployer", "approver"), List.of());
  private static final Approver BOB = new Approver("bob", "pat-b", Set.of("approver"), List.of());
  private static final Approver CAROL = new Approver("carol", "pat-c", Set.of("approver"), List.of());
  private static final Approver ROOT = new Approver("root", "pat-r", Set.of("admin"), List.of());
  private static final Approver VIEWER = new Approver("vic", "pat-v", Set.of("viewer"), List.of());

  private ApprovalState waiting(ApprovalRule rule) {
    ApprovalState state = new ApprovalState();
    state.rule = ApprovalRules.effective(rule);
    state.requestedAt = clock.millis();
    state.deadline = clock.millis() + state.rule.timeoutSeconds() * 1000L;
    state.startedBy = "alice";
    state.sqlHash = "ab".repeat(32);
    return state;
  }

  private ApprovalDecisions.Result decide(ApprovalState state, Approver who, boolean approve) {
    return ApprovalDecisions.decide(state, who, approve, "looks right", clock.millis(), WHAT);
  }

  private void later(Duration d) {
    clock = Clock.offset(clock, d);
  }

  @Test
  void theRequiredCountOfDistinctIdentitiesApproves() {
    ApprovalState state = waiting(new ApprovalRule(2, List.of(), List.of(), false, 600));
    assertThat(decide(state, BOB, true)).isEqualTo(ApprovalDecisions.Result.PENDING);
    assertThatThrownBy(() -> decide(state, BOB, true)).isInstanceOfSatisfying(Refusal.class, e -> {
      assertThat(e.kind()).isEqualTo(Refusal.Kind.CONFLICT);
      assertThat(e.getMessage()).contains("'bob' already approved").contains("1 more approval(s)");
    });
    assertThat(decide(state, CAROL, true)).isEqualTo(ApprovalDecisions.Result.APPROVED);
    assertThat(state.outcome).isEqualTo("APPROVED");
    assertThat(state.decisions).extracting(d -> d.identity + "/" + d.decision + "/" + d.comment + "/" + d.sqlHash)
        .containsExactly("bob/approve/looks right/" + "ab".repeat(32), "carol/approve/looks right/" + "ab".repeat(32));
    assertThatThrownBy(() -> decide(state, ROOT, true)).hasMessageContaining("no longer waiting (APPROVED)");
  }

  @Test
  void theStarterMayNotApproveUnlessTheRuleSaysSoButMayReject() {
    ApprovalState forbidden = waiting(null);
    assertThatThrownBy(() -> decide(forbidden, ALICE, true)).isInstanceOfSatisfying(Refusal.class, e -> {
      assertThat(e.kind()).isEqualTo(Refusal.Kind.FORBIDDEN);
      assertThat(e.getMessage()).contains("'alice' started this execution")
          .contains("rule: starterMayApprove is false").contains("approval.starterMayApprove: true");
    });
    assertThat(forbidden.decisions).isEmpty();
    assertThat(decide(forbidden, ALICE, false)).isEqualTo(ApprovalDecisions.Result.REJECTED);

    ApprovalState allowed = waiting(new ApprovalRule(1, List.of(), List.of(), true, null));
    assertThat(decide(allowed, ALICE, true)).isEqualTo(ApprovalDecisions.Result.APPROVED);
  }

  @Test
  void theRoleOfTheRuleIsRequiredAndAdminAlwaysQualifies() {
    ApprovalState state = waiting(new ApprovalRule(1, List.of("deployer"), List.of(), false, null));
    assertThatThrownBy(() -> decide(state, BOB, true)).isInstanceOfSatisfying(Refusal.class, e -> {
      assertThat(e.kind()).isEqualTo(Refusal.Kind.FORBIDDEN);
      assertThat(e.getMessage()).contains("'bob' has role(s) [approver]").contains("needs one of [deployer]")
          .contains("rule: approval roles");
    });
    assertThatThrownBy(() -> decide(waiting(null), VIEWER, false)).hasMessageContaining("needs one of [approver]");
    assertThat(decide(state, ROOT, true)).isEqualTo(ApprovalDecisions.Result.APPROVED);
  }

  @Test
  void aGroupRuleNeedsAnIdentityInTheGroup() {
    ApprovalState state = waiting(new ApprovalRule(1, List.of(), List.of("dba"), false, null));
    assertThatThrownBy(() -> decide(state, BOB, true)).hasMessageContaining("rule: approval groups")
        .hasMessageContaining("API tokens carry no groups");
    Approver dba = new Approver("dana", "oidc", Set.of("approver"), List.of("dba", "ops"));
    assertThat(decide(state, dba, true)).isEqualTo(ApprovalDecisions.Result.APPROVED);
  }

  @Test
  void theTimeoutRejectsAndNoDecisionCountsAfterIt() {
    ApprovalState state = waiting(new ApprovalRule(2, List.of(), List.of(), false, 300));
    decide(state, BOB, true);
    later(Duration.ofSeconds(299));
    assertThat(ApprovalDecisions.expire(state, clock.millis())).isFalse();
    later(Duration.ofSeconds(1));
    assertThatThrownBy(() -> decide(state, CAROL, true)).hasMessageContaining("timed out");
    assertThat(ApprovalDecisions.expire(state, clock.millis())).isTrue();
    assertThat(state.outcome).isEqualTo("TIMED_OUT");
    assertThat(ApprovalDecisions.expire(state, clock.millis())).isFalse();
    assertThat(ApprovalDecisions.reason(state, WHAT)).contains("timed out after 300 s")
        .contains("(1 of 2)").contains("counts as rejected");
  }

  @Test
  void aRejectionEndsTheApprovalWithTheReason() {
    ApprovalState state = waiting(new ApprovalRule(2, List.of(), List.of(), false, null));
    decide(state, BOB, true);
    assertThat(ApprovalDecisions.decide(state, CAROL, false, "drops a column in use", clock.millis(), WHAT))
        .isEqualTo(ApprovalDecisions.Result.REJECTED);
    assertThat(ApprovalDecisions.reason(state, WHAT)).isEqualTo("Approval of " + WHAT
        + " rejected by carol: drops a column in use");
  }

  @Test
  void defaultsAreOneApproverNoStarterAndAnHour() {
    assertThat(ApprovalRules.effective(null)).isEqualTo(new ApprovalRule(1, List.of("approver"), List.of(), false, 3600));
    assertThat(ApprovalRules.effective(new ApprovalRule(null, null, null, null, 5)))
        .isEqualTo(new ApprovalRule(1, List.of("approver"), List.of(), false, 5));
  }
}
