package io.dbops.api;

import io.dbops.pipeline.ApprovalRule;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An approval step of an execution as {@code GET /api/v1/approvals} and {@code GET
 * /api/v1/executions/{id}/approvals} return it (docs/api.md "Approvals").
 *
 * @param status WAITING, APPROVED, REJECTED, TIMED_OUT or ABORTED
 * @param rule the rule in force, defaults filled in
 * @param sqlHash the hash of the update SQL shown (the stage's preview before the step); null when
 *     the stage previewed nothing
 * @param updateSql the SQL the stage's apply will run, as previewed; null when not previewed
 * @param rollbackSql the SQL that would undo it, as previewed; null when not previewed
 * @param policies the stage's policy results before the step
 * @param youMayApprove whether the caller may approve now; null in an execution's own listing
 * @param why why the caller may not approve; null when it may
 */
public record ApprovalView(
    String executionId, String pipelineName, String stage, String step, String environment, String status,
    Instant requestedAt, Instant deadline, ApprovalRule rule, String startedBy, String sqlHash, String updateSql,
    String rollbackSql, List<PolicyView> policies, List<DecisionView> decisions, Boolean youMayApprove,
    String why) {
  public ApprovalView {
    policies = policies == null ? List.of() : List.copyOf(policies);
    decisions = decisions == null ? List.of() : List.copyOf(decisions);
  }

  /** A policy step's result. */
  public record PolicyView(String step, String status, String error, Map<String, String> outputs) {}

  /** One decision: who, when, what, the comment and the sqlHash it was made for. */
  public record DecisionView(String identity, String decision, String comment, Instant at, String sqlHash) {}
}
