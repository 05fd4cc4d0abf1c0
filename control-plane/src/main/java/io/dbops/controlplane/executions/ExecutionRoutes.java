package io.dbops.controlplane.executions;

import io.dbops.controlplane.Refusal;
import io.dbops.controlplane.http.Access;
import io.dbops.controlplane.http.Edge;
import io.dbops.controlplane.http.Requests;
import io.dbops.controlplane.http.Routes;
import io.dbops.controlplane.identity.Caller;
import io.dbops.controlplane.identity.Verb;
import io.dbops.controlplane.logs.LogService;
import io.dbops.pipeline.Pipeline;
import io.dbops.pipeline.Stage;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The executions API (docs/api.md): submit (verb run: deployer), abort (verb abort: deployer),
 * resume a paused execution (verb run: deployer), list, show and read logs (verb read: viewer).
 * Submitting, aborting and resuming are audited.
 *
 * <p>Environments: stages name stored targets or environments, which {@code resolver} resolves
 * (docs/environments.md); a token limited to environments may run and abort an execution whose
 * stages all deploy to its environments, and nothing else (403 naming the rule).
 */
public final class ExecutionRoutes implements Routes {
  /** The request header by which a client names itself; {@code cli} for the dbops CLI. */
  public static final String CLIENT_HEADER = "X-Dbops-Client";
  private final ExecutionService executions;
  private final UnaryOperator<Pipeline> resolver;

  /**
   * @param resolver resolves the stored targets and environments an ad-hoc pipeline's stages name;
   *     throws an {@code Refusal} (400) naming each that does not exist
   */
  public ExecutionRoutes(ExecutionService executions, UnaryOperator<Pipeline> resolver) {
    this.executions = executions;
    this.resolver = resolver;
  }

  @Override
  public void addTo(Edge edge) {
    edge.post("/api/v1/executions", Access.verb(Verb.RUN), ctx -> {
      Pipeline submitted = Requests.body(ctx, Pipeline.class);
      String name = submitted.name() == null ? "" : submitted.name();
      Edge.audit(ctx, "execution.submit", name);
      Pipeline pipeline = resolver.apply(submitted);
      Edge.caller(ctx).requireEnvironments(environments(pipeline), "pipeline '" + name + "'");
      String id = executions.submit(pipeline, origin(Edge.caller(ctx), ctx.header(CLIENT_HEADER),
          pipeline));
      Edge.audit(ctx, "execution.submit", id, Map.of("pipeline", name));
      ctx.status(201).json(Map.of("id", id));
    });
    edge.get("/api/v1/executions", Access.verb(Verb.READ), ctx -> {
      int limit = (int) Requests.longParam(ctx, "limit", 50, 1, 500);
      // the targets' executions of rollouts only when asked (docs/fleet-rollouts.md)
      ctx.json(executions.newest(limit, "true".equals(ctx.queryParam("children"))));
    });
    edge.get("/api/v1/executions/{id}", Access.verb(Verb.READ),
        ctx -> ctx.json(executions.view(ctx.pathParam("id"))));
    edge.post("/api/v1/executions/{id}/abort", Access.verb(Verb.ABORT), ctx -> {
      String id = ctx.pathParam("id");
      Edge.audit(ctx, "execution.abort", id);
      executions.view(id); // 404 before the environment rule
      Edge.caller(ctx).requireEnvironments(environments(executions.pipeline(id)), "execution " + id);
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

  /**
   * Who submits, from where: the API token's name and label, {@code cli} when the request says
   * {@code X-Dbops-Client: cli} (the CLI sends it), else {@code api}.
   */
  static ExecutionOrigin origin(Caller caller, String client, Pipeline pipeline) {
    String source = client != null && "cli".equalsIgnoreCase(client.trim()) ? "cli" : "api";
    return new ExecutionOrigin(caller.token().name(), caller.token().label(), source,
        pipeline.name(), null, Map.of());
  }

  /**
   * The environments a resolved pipeline's stages deploy to; empty when any stage names none (so
   * that a token limited to environments may not run it).
   */
  public static List<String> environments(Pipeline pipeline) {
    Set<String> environments = new LinkedHashSet<>();
    for (Stage stage : pipeline.stages()) {
      if (stage == null || stage.environment() == null) {
        return List.of();
      }
      environments.add(stage.environment());
    }
    return List.copyOf(environments);
  }

  /** The body of {@code POST /api/v1/executions/{id}/resume}: {@code retry}, {@code rollback} or {@code abort}. */
  public record ResumeRequest(String action) {}
}
