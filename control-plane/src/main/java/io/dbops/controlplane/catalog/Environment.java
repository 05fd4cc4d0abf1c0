package io.dbops.controlplane.catalog;

import io.dbops.pipeline.ApprovalRule;
import java.util.List;

/**
 * A stored environment (docs/environments.md): a place runs deploy to, ordered (dev before staging
 * before prod), with the rules that protect it.
 *
 * @param order where it sorts (lower first; equal orders sort by name); null means 0
 * @param protection its rules; null for none
 * @param refreshMinutes how often the control plane refreshes the migration state of the
 *     environment's targets (a read-only history/status run, docs/fleet-state.md); null for never
 */
public record Environment(String name, Integer order, Protection protection, Integer refreshMinutes) {

  /** An environment without a scheduled refresh. */
  public Environment(String name, Integer order, Protection protection) {
    this(name, order, protection, null);
  }

  /**
   * @param approval who must approve before an apply to this environment; null for no approval
   * @param requirePolicy a stage deploying here must run a {@code policy} step before its first
   *     {@code apply}; null means false
   * @param delegateSelectors tags a delegate must all have to run a stage deploying here, on top of
   *     the stage's and the target's own
   * @param driftGate a stage deploying here runs a drift step before its first {@code apply}; when
   *     it finds drift, the apply waits for an approver's explicit override (docs/fleet-state.md
   *     "Drift gate"); null means false
   */
  public record Protection(ApprovalRule approval, Boolean requirePolicy,
      List<String> delegateSelectors, Boolean driftGate) {
    public Protection {
      delegateSelectors = delegateSelectors == null ? List.of() : List.copyOf(delegateSelectors);
    }

    /** Rules without the drift gate. */
    public Protection(ApprovalRule approval, Boolean requirePolicy, List<String> delegateSelectors) {
      this(approval, requirePolicy, delegateSelectors, null);
    }
  }

  /** Whether a stage deploying here runs the drift gate before applying. */
  public boolean driftGated() {
    return protection != null && Boolean.TRUE.equals(protection.driftGate());
  }

  /** The approval rule of this environment; null when it needs none. */
  public ApprovalRule approvalRule() {
    return protection == null ? null : protection.approval();
  }

  /** Whether a stage deploying here must run a policy step before applying. */
  public boolean policyRequired() {
    return protection != null && Boolean.TRUE.equals(protection.requirePolicy());
  }

  /** Tags a delegate must have to deploy here; empty for none. */
  public List<String> selectors() {
    return protection == null ? List.of() : protection.delegateSelectors();
  }

  public int sortOrder() {
    return order == null ? 0 : order;
  }
}
