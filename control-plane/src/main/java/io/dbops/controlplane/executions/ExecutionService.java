package io.dbops.controlplane.executions;

import io.dbops.api.ExecutionView;
import io.dbops.controlplane.http.ApiException;
import io.dbops.controlplane.http.Requests;
import io.dbops.controlplane.http.Routes;
import io.dbops.controlplane.logs.LogService;
import io.dbops.controlplane.queue.TaskQueue;
import io.dbops.controlplane.store.Ids;
import io.dbops.controlplane.store.Sql;
import io.dbops.pipeline.Pipeline;
import io.dbops.pipeline.PipelineException;
import io.dbops.pipeline.PipelineSecrets;
import io.dbops.pipeline.PipelineLimits;
import io.dbops.pipeline.PipelineValidator;
import io.dbops.pipeline.Stage;
import io.javalin.Javalin;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The executions API: submit, list, show, and read logs (docs/api.md). Thread-safe.
 */
public final class ExecutionService implements Routes {
  private final ExecutionStore store;
  private final Orchestrator orchestrator;
  private final LogService logs;
  private final PipelineValidator validator;
  private final Predicate<String> secretExists;

  /**
   * @param publicUrl the log service's base URL as build pods reach it (known once HTTP started)
   * @param image the build pod image
   * @param secretExists whether the secret store holds a secret of that name; a pipeline naming a
   *     missing store secret is refused at submission
   */
  public ExecutionService(Sql sql, TaskQueue queue, LogService logs, Supplier<String> publicUrl,
      String image, Clock clock, Ids ids, Predicate<String> secretExists) {
    this(sql, queue, logs, publicUrl, image, clock, ids, secretExists, PipelineLimits.DEFAULTS);
  }

  /** @param limits ceilings on stages and steps of a submitted pipeline */
  public ExecutionService(Sql sql, TaskQueue queue, LogService logs, Supplier<String> publicUrl,
      String image, Clock clock, Ids ids, Predicate<String> secretExists, PipelineLimits limits) {
    this.validator = new PipelineValidator(limits);
    this.store = new ExecutionStore(sql);
    this.orchestrator = new Orchestrator(store, queue, logs, publicUrl, image, clock, ids);
    this.logs = logs;
    this.secretExists = secretExists;
  }

  /** The orchestrator; its owner starts and closes it. */
  public Orchestrator orchestrator() {
    return orchestrator;
  }

  @Override
  public void addTo(Javalin app) {
    app.post("/api/v1/executions", ctx -> {
      Pipeline pipeline = validate(Requests.body(ctx, Pipeline.class));
      ctx.status(201).json(Map.of("id", orchestrator.submit(pipeline)));
    });
    app.get("/api/v1/executions", ctx -> {
      int limit = (int) Requests.longParam(ctx, "limit", 50, 1, 500);
      ctx.json(store.newest(limit).stream().map(ExecutionStore::view).toList());
    });
    app.get("/api/v1/executions/{id}", ctx -> ctx.json(view(ctx.pathParam("id"))));
    app.post("/api/v1/executions/{id}/abort", ctx -> {
      String id = ctx.pathParam("id");
      orchestrator.abort(id);
      ctx.status(202).json(Map.of("id", id, "status", "aborting"));
    });
    app.get("/api/v1/executions/{id}/logs", ctx -> {
      String id = ctx.pathParam("id");
      if (store.status(id).isEmpty()) {
        throw ApiException.notFound("No execution '" + id + "'; list them with GET /api/v1/executions");
      }
      long after = Requests.longParam(ctx, "after", 0, 0, Long.MAX_VALUE);
      long wait = Requests.longParam(ctx, "waitMillis", 0, 0, LogService.MAX_WAIT_MILLIS);
      // Asynchronous: a waiting long poll holds no HTTP thread.
      ctx.future(() -> logs.readAsync(id, after, wait, e -> store.status(e).orElse(null)).thenAccept(ctx::json));
    });
  }

  public ExecutionView view(String id) {
    return store.find(id).map(ExecutionStore::view).orElseThrow(() -> ApiException.notFound(
        "No execution '" + id + "'; list them with GET /api/v1/executions"));
  }

  private Pipeline validate(Pipeline pipeline) {
    List<String> problems = new ArrayList<>();
    try {
      validator.validate("request", pipeline);
    } catch (PipelineException e) {
      problems.addAll(e.problems());
    }
    for (int i = 0; i < pipeline.stages().size(); i++) {
      Stage stage = pipeline.stages().get(i);
      for (int j = 0; stage != null && j < stage.steps().size(); j++) {
        var step = stage.steps().get(j);
        if (step != null && step.searchPath() != null && !step.searchPath().startsWith("/")
            && !step.searchPath().matches("[A-Za-z]:[\\\\/].*")) {
          problems.add("stages[" + i + "].steps[" + j + "].searchPath must be an absolute path, not '"
              + step.searchPath() + "'");
        }
      }
    }
    if (!problems.isEmpty()) {
      throw ApiException.badRequest("Invalid pipeline: " + problems.size() + " problem(s); see details",
          problems);
    }
    List<String> missing = PipelineSecrets.storeNames(pipeline).stream()
        .filter(name -> !secretExists.test(name)).toList();
    if (!missing.isEmpty()) {
      throw ApiException.badRequest("The pipeline uses secret(s) " + String.join(", ", missing)
          + " that the control plane's store does not hold; create each with `dbops secret create NAME"
          + " --value-env VAR` and submit again", missing.stream()
          .map(name -> "secret '" + name + "' does not exist").toList());
    }
    return pipeline;
  }
}
