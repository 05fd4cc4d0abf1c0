package io.dbops.controlplane.approvals;

import io.dbops.controlplane.Refusal;
import io.dbops.pipeline.ApprovalRule;
import java.util.List;

/**
 * The rules of a decision (docs/environments.md "Approvals"): the approver's role and group, the
 * starter, distinct identities, the required count, the timeout. Pure over an {@link
 * ApprovalState} and the time it is given; not thread-safe (the orchestrator thread calls it).
 */
public final class ApprovalDecisions {
  /** The longest comment kept. */
  public static final int MAX_COMMENT = 2000;

  /** Where a decision leaves the approval. */
  public enum Result { PENDING, APPROVED, REJECTED }

  private ApprovalDecisions() {}

  /**
   * Records {@code who}'s decision when the rule allows it.
   *
   * @param what the approval, for messages (for example {@code step 'approve' of execution ex-1})
   * @throws Refusal 403 naming the rule when {@code who} may not decide; 409 when the approval
   *     is no longer waiting or {@code who} already approved
   */
  public static Result decide(ApprovalState state, Approver who, boolean approve, String comment, long now,
      String what) {
    Refusal refusal = refusal(state, who, approve, now, what);
    if (refusal != null) {
      throw refusal;
    }
    ApprovalRule rule = ApprovalRules.effective(state.rule);
    ApprovalState.Decision d = new ApprovalState.Decision();
    d.identity = who.identity();
    d.tokenId = who.tokenId();
    d.decision = approve ? "approve" : "reject";
    d.comment = comment == null || comment.isBlank() ? null : comment;
    d.at = now;
    d.sqlHash = state.sqlHash;
    state.decisions.add(d);
    if (!approve) {
      state.outcome = "REJECTED";
      return Result.REJECTED;
    }
    if (state.approvals() >= rule.required()) {
      state.outcome = "APPROVED";
      return Result.APPROVED;
    }
    return Result.PENDING;
  }

  /** Why {@code who} may not make this decision now; null when it may. */
  public static Refusal refusal(ApprovalState state, Approver who, boolean approve, long now, String what) {
    ApprovalRule rule = ApprovalRules.effective(state.rule);
    if (state.outcome != null) {
      return new Refusal(Refusal.Kind.CONFLICT, "conflict", "The approval of " + what + " is no longer waiting ("
          + state.outcome + ")", List.of());
    }
    if (now >= state.deadline) {
      return new Refusal(Refusal.Kind.CONFLICT, "conflict", "The approval of " + what + " timed out; it counts as rejected",
          List.of());
    }
    if (!who.roles().contains("admin") && rule.roles().stream().noneMatch(who.roles()::contains)) {
      return Refusal.forbidden("Identity '" + who.identity() + "' has role(s) " + who.roles().stream().sorted()
          .toList() + " and the approval of " + what + " needs one of " + rule.roles() + " (rule: approval roles;"
          + " an identity with one of these roles may decide, or the rule's 'roles' may name another)");
    }
    if (!rule.groups().isEmpty() && rule.groups().stream().noneMatch(who.groups()::contains)) {
      return Refusal.forbidden("Identity '" + who.identity() + "' is in group(s) " + who.groups()
          + " and the approval of " + what + " needs one of " + rule.groups() + " (rule: approval groups;"
          + " API tokens carry no groups, so only identities of a group-aware sign-in can satisfy it;"
          + " remove 'groups' from the rule to allow roles alone)");
    }
    if (approve && !rule.starterMayApprove() && who.identity().equals(state.startedBy)) {
      return Refusal.forbidden("Identity '" + who.identity() + "' started this execution and may not approve"
          + " " + what + " (rule: starterMayApprove is false; set approval.starterMayApprove: true in the rule"
          + " to allow it). Another identity must approve; the starter may still reject.");
    }
    if (approve && state.decisions.stream().anyMatch(d -> d.identity.equals(who.identity()))) {
      return new Refusal(Refusal.Kind.CONFLICT, "conflict", "Identity '" + who.identity() + "' already approved " + what
          + "; " + (rule.required() - state.approvals()) + " more approval(s) by other identities are needed",
          List.of());
    }
    return null;
  }

  /** True (and the outcome TIMED_OUT) when a waiting approval's deadline has passed at {@code now}. */
  public static boolean expire(ApprovalState state, long now) {
    if (state.outcome == null && now >= state.deadline) {
      state.outcome = "TIMED_OUT";
      return true;
    }
    return false;
  }

  /** Why a rejected or timed-out approval failed the execution. */
  public static String reason(ApprovalState state, String what) {
    if ("TIMED_OUT".equals(state.outcome)) {
      return "Approval of " + what + " timed out after " + ApprovalRules.effective(state.rule).timeoutSeconds()
          + " s without the required approvals (" + state.approvals() + " of "
          + ApprovalRules.effective(state.rule).required() + "); it counts as rejected";
    }
    ApprovalState.Decision last = state.decisions.isEmpty() ? null : state.decisions.get(state.decisions.size() - 1);
    return "Approval of " + what + " rejected by " + (last == null ? "?" : last.identity)
        + (last == null || last.comment == null ? "" : ": " + last.comment);
  }
}
