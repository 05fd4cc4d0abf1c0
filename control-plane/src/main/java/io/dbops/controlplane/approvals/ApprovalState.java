package io.dbops.controlplane.approvals;

import io.dbops.pipeline.ApprovalRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What an approval step waits for and what it showed, stored with its execution (JSON in {@code
 * executions.state}). Mutable: only the orchestrator thread changes it.
 */
public final class ApprovalState {
  /** The rule in force, with defaults filled in ({@link ApprovalRules#effective}). */
  public ApprovalRule rule;
  public long requestedAt;
  /** When the approval counts as rejected (epoch millis). */
  public long deadline;
  /** The identity that started the execution; null when unknown. */
  public String startedBy;
  /** The sqlHash of the stage's update preview before this step; null when there was none. */
  public String sqlHash;
  /** The update SQL shown (the preview's {@code sql} output); null when there was no preview. */
  public String updateSql;
  /** The rollback SQL shown (a rollback preview's {@code sql} output); null when none. */
  public String rollbackSql;
  /** Results of the stage's policy steps before this step. */
  public List<PolicyResult> policies = new ArrayList<>();
  public List<Decision> decisions = new ArrayList<>();
  /** Null while waiting; then APPROVED, REJECTED, TIMED_OUT or ABORTED. */
  public String outcome;
  /**
   * For a rollout's target approved by the rollout's one decision on the same SQL: the execution
   * where that decision was taken; null otherwise.
   */
  public String coveredBy;

  /** One person's decision. */
  public static final class Decision {
    /** The identity's name (an API token's owner). */
    public String identity;
    public String tokenId;
    /** {@code approve} or {@code reject}. */
    public String decision;
    public String comment;
    public long at;
    /** The sqlHash shown when the decision was made. */
    public String sqlHash;
  }

  /** A policy step's result as the approver sees it. */
  public static final class PolicyResult {
    public String step;
    public String status;
    public String error;
    public Map<String, String> outputs = Map.of();
  }

  /** Approvals recorded so far. */
  public long approvals() {
    return decisions.stream().filter(d -> "approve".equals(d.decision)).count();
  }
}
