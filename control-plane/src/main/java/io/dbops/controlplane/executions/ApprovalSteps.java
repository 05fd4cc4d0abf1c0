package io.dbops.controlplane.executions;

import io.dbops.api.ApprovalView;
import io.dbops.controlplane.approvals.ApprovalDecisions;
import io.dbops.controlplane.approvals.ApprovalRules;
import io.dbops.controlplane.approvals.ApprovalState;
import io.dbops.controlplane.approvals.Approver;
import io.dbops.controlplane.audit.Audit;
import io.dbops.controlplane.audit.AuditEvent;
import io.dbops.controlplane.Refusal;
import io.dbops.controlplane.logs.LogService;
import io.dbops.pipeline.ApprovalRule;
import io.dbops.pipeline.Stage;
import io.dbops.pipeline.Step;
import io.dbops.protocol.StepOutput;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Approval steps of executions (docs/environments.md "Approvals"): entering WAITING_APPROVAL with
 * what the stage will run, decisions, timeouts, aborts. The build pod stays while the step waits;
 * no task runs, so no lease is held. Not thread-safe: {@link ExecutionProgress} calls it from the
 * orchestrator thread.
 */
final class ApprovalSteps {
  static final String WAITING = "WAITING_APPROVAL";

  /** What the progress does once an approval step is decided. */
  interface Continuation {
    void stepSucceeded(ExecutionRecord ex, int si, int index);

    void failStage(ExecutionRecord ex, ExecutionState.StageState s, int firstSkipped, String stageError,
        String executionError);
  }

  private final ExecutionStore store;
  private final LogService logs;
  private final Clock clock;
  private final Audit audit;

  ApprovalSteps(ExecutionStore store, LogService logs, Clock clock, Audit audit) {
    this.store = store;
    this.logs = logs;
    this.clock = clock;
    this.audit = audit;
  }

  // Set once before the orchestrator starts (docs/fleet-rollouts.md "One approval").
  private volatile RolloutHook rollouts;
  private volatile Continuation rolloutNext;

  void rollouts(RolloutHook hook, Continuation next) {
    this.rollouts = hook;
    this.rolloutNext = next;
  }

  /** Starts approval step {@code index}: the execution waits, showing what the stage will run. */
  void enter(ExecutionRecord ex, int si, int index) {
    Stage stage = ex.pipeline.stages().get(si);
    ExecutionState.StageState s = ex.state.stages.get(si);
    ExecutionState.StepState st = s.steps.get(index);
    ApprovalState a = new ApprovalState();
    a.rule = ApprovalRules.effective(stage.steps().get(index).approval());
    a.requestedAt = clock.millis();
    a.deadline = a.requestedAt + a.rule.timeoutSeconds() * 1000L;
    a.startedBy = ex.state.startedBy;
    for (int i = 0; i < index; i++) {
      Step step = stage.steps().get(i);
      ExecutionState.StepState earlier = s.steps.get(i);
      if (earlier.output == null || !"SUCCEEDED".equals(earlier.status)) {
        continue;
      }
      Map<String, String> out = earlier.output.outputs();
      if ("preview".equals(step.type()) && Boolean.TRUE.equals(step.rollback())) {
        a.rollbackSql = out.get("sql");
      } else if ("preview".equals(step.type())) {
        a.updateSql = out.get("sql");
        a.sqlHash = out.get("sqlHash");
      } else if ("policy".equals(step.type()) || "drift".equals(step.type())) {
        ApprovalState.PolicyResult p = new ApprovalState.PolicyResult();
        p.step = step.name();
        p.status = earlier.status;
        p.error = earlier.error;
        p.outputs = out;
        a.policies.add(p);
      }
    }
    st.status = "WAITING";
    st.approval = a;
    if (coveredByRollout(ex, si, index)) {
      return;
    }
    ex.status = WAITING;
    store.save(ex);
    String what = what(ex, s, st);
    logs.appendControl(ex.id, "INFO", "Stage " + s.name + ", step " + st.name + " (approval): waiting for "
        + ApprovalRules.describe(a.rule) + "; the build pod " + s.podName + " stays meanwhile");
    logs.appendControl(ex.id, "INFO", a.sqlHash == null
        ? "No update preview ran before this approval in stage " + s.name + ": the approval binds no SQL"
        : "The apply after this approval runs only if the pending SQL still hashes to " + a.sqlHash);
    if (a.updateSql != null) {
      logs.appendControl(ex.id, "INFO", "Update SQL to approve:\n" + a.updateSql);
    }
    if (a.rollbackSql != null) {
      logs.appendControl(ex.id, "INFO", "Rollback SQL:\n" + a.rollbackSql);
    }
    if (DriftGateSteps.isOverride(stage, index)) {
      StepOutput drift = s.steps.get(index - 1).output;
      String json = drift == null ? null : drift.outputs().get("drift");
      logs.appendControl(ex.id, "WARN", "Drift gate: the live schema differs from what the history says; the apply"
          + " runs only if an approver overrides (approve), a rejection fails the stage:\n  "
          + (json == null ? "(the drift step reported no differences list; it did not say the schema is clean)"
              : String.join("\n  ", DriftGateSteps.differences(json))));
    }
    for (ApprovalState.PolicyResult p : a.policies) {
      if (p.outputs.containsKey("driftCount")) {
        continue; // the drift gate's differences are logged above
      }
      logs.appendControl(ex.id, "INFO", "Policy step " + p.step + ": " + p.outputs.getOrDefault("violationCount", "0")
          + " violation(s), " + p.outputs.getOrDefault("warningCount", "0") + " warning(s)");
    }
    logs.appendControl(ex.id, "WARN", "Execution " + ex.id + " waits for approval (" + what + "). Approve: dbops approve "
        + ex.id + " [--comment TEXT]; reject: dbops approve " + ex.id + " --reject [--comment TEXT];"
        + " list what waits: dbops executions --waiting");
    audit.record(AuditEvent.system("approval.request", ex.id, "waiting", Map.of("stage", s.name, "step", st.name,
        "sqlHash", a.sqlHash == null ? "" : a.sqlHash)));
  }

  /** A rollout target's approval of SQL already approved in its rollout: approved by that decision. */
  private boolean coveredByRollout(ExecutionRecord ex, int si, int index) {
    ApprovalState a = ex.state.stages.get(si).steps.get(index).approval;
    if (rollouts == null || a.sqlHash == null || ex.origin == null || ex.origin.parentId() == null) {
      return false;
    }
    var coverage = rollouts.approvalEntered(ex.id, a.sqlHash, ruleKey(a));
    coverage.ifPresent(c -> cover(ex, si, index, c));
    return coverage.isPresent();
  }

  /** The approval rule in force, as JSON: a decision covers only approvals under the same rule. */
  private static String ruleKey(ApprovalState a) {
    return io.dbops.support.Json.write(ApprovalRules.effective(a.rule));
  }

  /**
   * Approves the approval execution {@code ex} waits for by the rollout's decision {@code c}, when
   * it shows the same SQL hash; nothing otherwise.
   */
  void coverWaiting(ExecutionRecord ex, RolloutHook.Coverage c) {
    int[] at = waiting(ex);
    ApprovalState waiting = at == null ? null : ex.state.stages.get(at[0]).steps.get(at[1]).approval;
    if (waiting != null && rolloutNext != null && c.sqlHash().equals(waiting.sqlHash)
        && c.ruleKey().equals(ruleKey(waiting))) {
      cover(ex, at[0], at[1], c);
    }
  }

  private void cover(ExecutionRecord ex, int si, int index, RolloutHook.Coverage c) {
    ExecutionState.StageState s = ex.state.stages.get(si);
    ApprovalState a = s.steps.get(index).approval;
    for (String approver : c.approvers()) {
      ApprovalState.Decision d = new ApprovalState.Decision();
      d.identity = approver;
      d.decision = "approve";
      d.comment = "covered by the rollout's approval in execution " + c.decidedIn();
      d.at = clock.millis();
      d.sqlHash = a.sqlHash;
      a.decisions.add(d);
    }
    a.outcome = "APPROVED";
    a.coveredBy = c.decidedIn();
    logs.appendControl(ex.id, "INFO", "Stage " + s.name + ", step " + s.steps.get(index).name
        + " (approval): the pending SQL (hash " + a.sqlHash + ") is the SQL approved for this rollout by "
        + String.join(", ", c.approvers()) + " in execution " + c.decidedIn() + "; covered by that decision");
    audit.record(AuditEvent.system("approval.covered", ex.id, "approved", Map.of("stage", s.name,
        "step", s.steps.get(index).name, "sqlHash", a.sqlHash, "approvedBy", String.join(",", c.approvers()),
        "decidedIn", c.decidedIn(), "rollout", ex.origin.parentId())));
    conclude(ex, si, index, rolloutNext);
  }

  /**
   * The drift gate's override step {@code index} when the drift step before it found no drift:
   * marked succeeded ("no drift") without waiting; true then, and the caller continues the stage.
   */
  boolean skipsDriftOverride(ExecutionRecord ex, int si, int index) {
    Stage stage = ex.pipeline.stages().get(si);
    if (!DriftGateSteps.isOverride(stage, index)) {
      return false;
    }
    ExecutionState.StageState s = ex.state.stages.get(si);
    StepOutput drift = s.steps.get(index - 1).output;
    String count = drift == null ? null : drift.outputs().get("driftCount");
    if (!"0".equals(count)) {
      return false;
    }
    ExecutionState.StepState st = s.steps.get(index);
    st.output = new StepOutput("SUCCEEDED", null, Map.of("drift", "none", "driftCount", "0"), List.of(), 0, 0, 0);
    logs.appendControl(ex.id, "INFO", "Stage " + s.name + ", step " + st.name + " (drift gate): no drift; the"
        + " apply needs no override");
    return true;
  }

  /**
   * Records a decision on the waiting approval of execution {@code ex}.
   *
   * @throws Refusal 409 when nothing waits, 403 when {@code who} may not decide
   */
  ApprovalView decide(ExecutionRecord ex, Approver who, boolean approve, String comment, Continuation next) {
    int[] at = waiting(ex);
    if (at == null) {
      throw new Refusal(Refusal.Kind.CONFLICT, "conflict", "Execution " + ex.id + " waits for no approval (status "
          + ex.status + ")", List.of());
    }
    ExecutionState.StageState s = ex.state.stages.get(at[0]);
    ExecutionState.StepState st = s.steps.get(at[1]);
    String what = what(ex, s, st);
    if (ApprovalDecisions.expire(st.approval, clock.millis())) {
      conclude(ex, at[0], at[1], next);
      throw new Refusal(Refusal.Kind.CONFLICT, "conflict", ApprovalDecisions.reason(st.approval, what), List.of());
    }
    ApprovalDecisions.Result result = ApprovalDecisions.decide(st.approval, who, approve, comment, clock.millis(), what);
    logs.appendControl(ex.id, approve ? "INFO" : "WARN", "Stage " + s.name + ", step " + st.name + ": "
        + who.identity() + (approve ? " approved" : " rejected") + (comment == null || comment.isBlank() ? ""
            : " (" + comment + ")") + "; " + st.approval.approvals() + " of "
        + ApprovalRules.effective(st.approval.rule).required() + " approval(s)");
    if (result == ApprovalDecisions.Result.PENDING) {
      store.save(ex);
    } else {
      conclude(ex, at[0], at[1], next);
    }
    return view(ex, at[0], at[1], null);
  }

  /** Rejects a waiting approval whose deadline passed; nothing otherwise. */
  void expire(ExecutionRecord ex, Continuation next) {
    int[] at = waiting(ex);
    if (at != null && ApprovalDecisions.expire(ex.state.stages.get(at[0]).steps.get(at[1]).approval, clock.millis())) {
      ExecutionState.StepState st = ex.state.stages.get(at[0]).steps.get(at[1]);
      audit.record(AuditEvent.system("approval.timeout", ex.id, "rejected", Map.of(
          "stage", ex.state.stages.get(at[0]).name, "step", st.name,
          "sqlHash", st.approval.sqlHash == null ? "" : st.approval.sqlHash)));
      conclude(ex, at[0], at[1], next);
    }
  }

  /** Ends a waiting approval of an aborted execution; nothing when none waits. */
  void abort(ExecutionRecord ex, Continuation next) {
    int[] at = waiting(ex);
    if (at != null) {
      ExecutionState.StepState st = ex.state.stages.get(at[0]).steps.get(at[1]);
      st.approval.outcome = "ABORTED";
      conclude(ex, at[0], at[1], next);
    }
  }

  private void conclude(ExecutionRecord ex, int si, int index, Continuation next) {
    ExecutionState.StageState s = ex.state.stages.get(si);
    ExecutionState.StepState st = s.steps.get(index);
    ApprovalState a = st.approval;
    ex.status = "RUNNING";
    if ("APPROVED".equals(a.outcome)) {
      Map<String, String> outputs = new LinkedHashMap<>();
      outputs.put("approvedBy", String.join(",", a.decisions.stream().map(d -> d.identity).toList()));
      if (a.sqlHash != null) {
        outputs.put("sqlHash", a.sqlHash);
      }
      if (DriftGateSteps.isOverride(ex.pipeline.stages().get(si), index)) {
        StepOutput drift = s.steps.get(index - 1).output;
        outputs.put("driftCount", drift == null ? "" : drift.outputs().getOrDefault("driftCount", ""));
        outputs.put("override", "true");
        String comments = String.join(" | ", a.decisions.stream().filter(d -> d.comment != null && !d.comment.isBlank())
            .map(d -> d.identity + ": " + d.comment).toList());
        audit.record(new AuditEvent(outputs.get("approvedBy"), "drift.override", ex.id, "", "approved", Map.of(
            "stage", s.name, "step", st.name, "driftCount", outputs.get("driftCount"), "comment", comments)));
        logs.appendControl(ex.id, "WARN", "Stage " + s.name + ": drift overridden by " + outputs.get("approvedBy")
            + "; the apply runs on a schema that differs from its history");
      }
      st.output = new StepOutput("SUCCEEDED", null, outputs, List.of(), clock.millis() - a.requestedAt, 0, 0);
      logs.appendControl(ex.id, "INFO", "Stage " + s.name + ", step " + st.name + " approved by "
          + outputs.get("approvedBy") + "; the stage continues");
      if (rollouts != null && a.coveredBy == null && a.sqlHash != null && ex.origin != null
          && ex.origin.parentId() != null) {
        rollouts.approved(ex.id, a.sqlHash, ruleKey(a), a.decisions.stream().filter(d -> "approve".equals(d.decision))
            .map(d -> d.identity).toList());
      }
      next.stepSucceeded(ex, si, index);
      return;
    }
    String reason = "ABORTED".equals(a.outcome) ? ExecutionProgress.ABORTED : ApprovalDecisions.reason(a, what(ex, s, st));
    if (!"ABORTED".equals(a.outcome) && DriftGateSteps.isOverride(ex.pipeline.stages().get(si), index)) {
      reason = "Drift blocked the apply (no override): " + reason;
    }
    st.status = "FAILED";
    st.error = reason;
    next.failStage(ex, s, index + 1, reason, reason);
  }

  /** {stage index, step index} of the waiting approval step, or null. */
  static int[] waiting(ExecutionRecord ex) {
    if (!WAITING.equals(ex.status)) {
      return null;
    }
    for (int i = 0; i < ex.state.stages.size(); i++) {
      List<ExecutionState.StepState> steps = ex.state.stages.get(i).steps;
      for (int j = 0; j < steps.size(); j++) {
        if ("WAITING".equals(steps.get(j).status) && steps.get(j).approval != null) {
          return new int[] {i, j};
        }
      }
    }
    return null;
  }

  /**
   * The sqlHash an apply step is bound to: that of the approval step before it in the stage, when
   * no other apply comes between them; null otherwise.
   */
  static String boundHash(Stage stage, ExecutionState.StageState s, int applyIndex) {
    for (int i = applyIndex - 1; i >= 0; i--) {
      String type = stage.steps().get(i).type();
      if ("apply".equals(type)) {
        return null;
      }
      ExecutionState.StepState st = s.steps.get(i);
      if ("approval".equals(type) && st.approval != null && "APPROVED".equals(st.approval.outcome)) {
        return st.approval.sqlHash;
      }
    }
    return null;
  }

  /** How much longer than its timeout a stage's build pod may live: every approval's wait. */
  static int approvalSeconds(Stage stage) {
    int total = 0;
    for (Step step : stage.steps()) {
      if ("approval".equals(step.type())) {
        total += ApprovalRules.effective(step.approval()).timeoutSeconds();
      }
    }
    return total;
  }

  private static String what(ExecutionRecord ex, ExecutionState.StageState s, ExecutionState.StepState st) {
    return "step '" + st.name + "' of stage '" + s.name + "' of execution " + ex.id;
  }

  /** The approvals of an execution's stages, for the API; {@code who} null in the execution's own listing. */
  List<ApprovalView> views(ExecutionRecord ex, Approver who) {
    List<ApprovalView> views = new ArrayList<>();
    for (int i = 0; i < ex.state.stages.size(); i++) {
      for (int j = 0; j < ex.state.stages.get(i).steps.size(); j++) {
        if (ex.state.stages.get(i).steps.get(j).approval != null) {
          views.add(view(ex, i, j, who));
        }
      }
    }
    return views;
  }

  ApprovalView view(ExecutionRecord ex, int si, int index, Approver who) {
    ExecutionState.StageState s = ex.state.stages.get(si);
    ExecutionState.StepState st = s.steps.get(index);
    ApprovalState a = st.approval;
    ApprovalRule rule = ApprovalRules.effective(a.rule);
    Boolean may = null;
    String why = null;
    if (who != null) {
      Refusal refusal = ApprovalDecisions.refusal(a, who, true, clock.millis(), what(ex, s, st));
      may = refusal == null;
      why = refusal == null ? null : refusal.getMessage();
    }
    return new ApprovalView(ex.id, ex.pipeline.name(), s.name, st.name, ex.pipeline.stages().get(si).environment(),
        a.outcome == null ? "WAITING" : a.outcome, Instant.ofEpochMilli(a.requestedAt), Instant.ofEpochMilli(a.deadline),
        rule, a.startedBy, a.sqlHash, a.updateSql, a.rollbackSql,
        a.policies.stream().map(p -> new ApprovalView.PolicyView(p.step, p.status, p.error, p.outputs)).toList(),
        a.decisions.stream().map(d -> new ApprovalView.DecisionView(d.identity, d.decision, d.comment,
            Instant.ofEpochMilli(d.at), d.sqlHash)).toList(), may, why);
  }
}
