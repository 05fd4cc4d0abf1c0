package io.dbops.controlplane.approvals;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.api.ApprovalView;
import io.dbops.controlplane.executions.ExecutionService;
import io.dbops.controlplane.http.Access;
import io.dbops.controlplane.Refusal;
import io.dbops.controlplane.http.Edge;
import io.dbops.controlplane.http.Requests;
import io.dbops.controlplane.http.Routes;
import io.dbops.controlplane.identity.ApiToken;
import io.dbops.controlplane.identity.Caller;
import io.dbops.controlplane.identity.Verb;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The approvals API (docs/api.md "Approvals"): decide (verb approve: approver), an execution's
 * approvals and the approvals waiting now (verb read: viewer). Every decision is audited with its
 * decision, comment and the sqlHash it was made for.
 */
public final class ApprovalRoutes implements Routes {
  private final ExecutionService executions;

  public ApprovalRoutes(ExecutionService executions) {
    this.executions = executions;
  }

  @Override
  public void addTo(Edge edge) {
    edge.post("/api/v1/executions/{id}/approvals", Access.verb(Verb.APPROVE), this::decide);
    edge.get("/api/v1/executions/{id}/approvals", Access.verb(Verb.READ),
        ctx -> ctx.json(executions.approvals(ctx.pathParam("id"))));
    edge.get("/api/v1/approvals", Access.verb(Verb.READ), ctx -> {
      boolean mine = "true".equalsIgnoreCase(ctx.queryParam("mine"));
      ctx.json(executions.waitingApprovals(approver(Edge.caller(ctx)), mine));
    });
  }

  private void decide(Context ctx) {
    String id = ctx.pathParam("id");
    Edge.audit(ctx, "approval.decide", id);
    JsonNode body = Requests.body(ctx, JsonNode.class);
    List<String> problems = new ArrayList<>();
    String decision = body.path("decision").asText("").toLowerCase(Locale.ROOT);
    if (!decision.equals("approve") && !decision.equals("reject")) {
      problems.add("decision must be 'approve' or 'reject'");
    }
    JsonNode commentNode = body.path("comment");
    if (!commentNode.isMissingNode() && !commentNode.isNull() && !commentNode.isTextual()) {
      problems.add("comment must be text");
    }
    String comment = commentNode.isTextual() ? commentNode.asText() : null;
    if (comment != null && comment.length() > ApprovalDecisions.MAX_COMMENT) {
      problems.add("comment must be at most " + ApprovalDecisions.MAX_COMMENT + " characters, not " + comment.length());
    }
    if (!problems.isEmpty()) {
      throw Refusal.invalid("Invalid decision: " + problems.size() + " problem(s); see details", problems);
    }
    List<String> environments = new ArrayList<>();
    for (ApprovalView v : executions.approvals(id)) { // 404 for an unknown execution
      if ("WAITING".equals(v.status()) && v.environment() != null) {
        environments.add(v.environment());
      }
    }
    Edge.caller(ctx).requireEnvironments(environments, "execution " + id);
    Map<String, String> details = new HashMap<>();
    details.put("decision", decision);
    details.put("comment", comment == null ? "" : comment);
    Edge.audit(ctx, "approval." + decision, id, details);
    ApprovalView view = executions.decide(id, approver(Edge.caller(ctx)), decision.equals("approve"), comment);
    details.put("stage", view.stage());
    details.put("step", view.step());
    details.put("sqlHash", view.sqlHash() == null ? "" : view.sqlHash());
    details.put("result", view.status());
    Edge.audit(ctx, "approval." + decision, id, details);
    ctx.json(view);
  }

  /** The deciding identity; an OIDC session brings its identity-provider groups (rule groups). */
  static Approver approver(Caller caller) {
    ApiToken token = caller.token();
    return new Approver(token.name(), token.id(), new HashSet<>(token.roleIds()), caller.groups());
  }
}
