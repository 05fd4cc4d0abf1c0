package io.dbops.controlplane.approvals;

import io.dbops.pipeline.ApprovalRule;
import java.util.List;

/** The defaults of an approval rule (docs/environments.md "Approvals"). Pure. */
public final class ApprovalRules {
  /** How long an approval waits when its rule names no timeout: one hour. */
  public static final int DEFAULT_TIMEOUT_SECONDS = 3600;
  /** One approval by an approver; the starter may not approve; the default timeout. */
  public static final ApprovalRule DEFAULT = effective(null);

  private ApprovalRules() {}

  /** The rule with every default filled in; {@link #DEFAULT} for null. */
  public static ApprovalRule effective(ApprovalRule rule) {
    if (rule == null) {
      return new ApprovalRule(1, List.of("approver"), List.of(), false, DEFAULT_TIMEOUT_SECONDS);
    }
    return new ApprovalRule(
        rule.required() == null ? 1 : rule.required(),
        rule.roles().isEmpty() ? List.of("approver") : rule.roles(),
        rule.groups(),
        Boolean.TRUE.equals(rule.starterMayApprove()),
        rule.timeoutSeconds() == null ? DEFAULT_TIMEOUT_SECONDS : rule.timeoutSeconds());
  }

  /** "2 approval(s) by role approver", for messages. */
  public static String describe(ApprovalRule rule) {
    ApprovalRule r = effective(rule);
    return r.required() + " approval(s) by distinct identities with role " + String.join(" or ", r.roles())
        + (r.groups().isEmpty() ? "" : " in group " + String.join(" or ", r.groups()))
        + (r.starterMayApprove() ? "" : ", not the one who started the run")
        + ", within " + r.timeoutSeconds() + " s";
  }
}
