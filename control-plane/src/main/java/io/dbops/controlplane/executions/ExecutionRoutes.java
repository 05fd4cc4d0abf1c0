package io.dbops.controlplane.executions;

import io.dbops.controlplane.http.Access;
import io.dbops.controlplane.http.Edge;
import io.dbops.controlplane.http.Requests;
import io.dbops.controlplane.http.Routes;
import io.dbops.controlplane.identity.Verb;
import io.dbops.controlplane.logs.LogService;
import io.dbops.pipeline.Pipeline;
import java.util.List;
import java.util.Map;

/**
 * The executions API (docs/api.md): submit (verb run: deployer), abort (verb abort: deployer),
 * resume a paused execution (verb run: deployer), list, show and read logs (verb read: viewer).
 * Submitting, aborting and resuming are audited.
 *
 * <p>Environments: the pipeline format has no environment field yet, so a pipeline names none,
 * and a token limited to environments may neither run nor abort one (403 naming the rule).
 */
public final class ExecutionRoutes implements Routes {
  private final ExecutionService executions;

  public ExecutionRoutes(ExecutionService executions) {
    this.executions = executions;
  }

  @Override
  public void addTo(Edge edge) {
    edge.post("/api/v1/executions", Access.verb(Verb.RUN), ctx -> {
      Pipeline pipeline = Requests.body(ctx, Pipeline.class);
      String name = pipeline.name() == null ? "" : pipeline.name();
      Edge.audit(ctx, "execution.submit", name);
      Edge.caller(ctx).requireEnvironments(environments(pipeline), "pipeline '" + name + "'");
      String id = executions.submit(pipeline);
      Edge.audit(ctx, "execution.submit", id, Map.of("pipeline", name));
      ctx.status(201).json(Map.of("id", id));
    });
    edge.get("/api/v1/executions", Access.verb(Verb.READ), ctx -> {
      int limit = (int) Requests.longParam(ctx, "limit", 50, 1, 500);
      ctx.json(executions.newest(limit));
    });
    edge.get("/api/v1/executions/{id}", Access.verb(Verb.READ),
        ctx -> ctx.json(executions.view(ctx.pathParam("id"))));
    edge.post("/api/v1/executions/{id}/abort", Access.verb(Verb.ABORT), ctx -> {
      String id = ctx.pathParam("id");
      Edge.audit(ctx, "execution.abort", id);
      executions.view(id); // 404 before the environment rule
      Edge.caller(ctx).requireEnvironments(List.of(), "execution " + id);
      executions.abort(id);
      ctx.status(202).json(Map.of("id", id, "status", "aborting"));
    });
    // Resuming is a deployment decision (retry and rollback change the target): verb run.
    edge.post("/api/v1/executions/{id}/resume", Access.verb(Verb.RUN), ctx -> {
      String id = ctx.pathParam("id");
      ResumeRequest request = Requests.body(ctx, ResumeRequest.class);
      String action = request.action() == null ? "" : request.action().trim();
      Edge.audit(ctx, "execution.resume", id, Map.of("action", action));
      executions.view(id); // 404 before the environment rule
      Edge.caller(ctx).requireEnvironments(List.of(), "execution " + id);
      executions.resume(id, action, Edge.caller(ctx).token().name());
      ctx.status(202).json(Map.of("id", id, "action", action, "status", "resuming"));
    });
    edge.get("/api/v1/executions/{id}/logs", Access.verb(Verb.READ), ctx -> {
      long after = Requests.longParam(ctx, "after", 0, 0, Long.MAX_VALUE);
      long wait = Requests.longParam(ctx, "waitMillis", 0, 0, LogService.MAX_WAIT_MILLIS);
      // Asynchronous: a waiting long poll holds no HTTP thread.
      var page = executions.logs(ctx.pathParam("id"), after, wait);
      ctx.future(() -> page.thenAccept(ctx::json));
    });
  }

  /** The environments a pipeline touches: none until stages name one (the next issue). */
  static List<String> environments(Pipeline pipeline) {
    return List.of();
  }

  /** The body of {@code POST /api/v1/executions/{id}/resume}: {@code retry}, {@code rollback} or {@code abort}. */
  public record ResumeRequest(String action) {}
}
