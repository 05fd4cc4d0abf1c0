package io.dbops.controlplane.executions;

import io.dbops.api.ExecutionView;
import io.dbops.api.LogPage;
import io.dbops.controlplane.audit.Audit;
import io.dbops.controlplane.Refusal;
import io.dbops.controlplane.logs.LogService;
import io.dbops.controlplane.queue.TaskQueue;
import io.dbops.controlplane.store.Ids;
import io.dbops.controlplane.store.Sql;
import io.dbops.pipeline.Pipeline;
import io.dbops.pipeline.PipelineException;
import io.dbops.pipeline.PipelineLimits;
import io.dbops.pipeline.PipelineSecrets;
import io.dbops.pipeline.PipelineValidator;
import io.dbops.pipeline.Stage;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import io.dbops.api.ApprovalView;
import io.dbops.controlplane.approvals.ApprovalInsertion;
import io.dbops.controlplane.approvals.Approver;
import io.dbops.pipeline.ApprovalRule;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Executions: submit, list, show, abort, and read logs; {@link ExecutionRoutes} is the HTTP edge
 * (docs/api.md). Thread-safe.
 */
public final class ExecutionService {
  private final ExecutionStore store;
  private final Orchestrator orchestrator;
  private final LogService logs;
  private final PipelineValidator validator;
  private final Predicate<String> secretExists;
  private volatile Function<String, Optional<ApprovalRule>> environmentApprovals = name -> Optional.empty();
  private volatile Predicate<String> environmentDriftGate = name -> false;

  /**
   * @param publicUrl the log service's base URL as build pods reach it (known once HTTP started)
   * @param image the build pod image
   * @param secretExists whether the secret store holds a secret of that name; a pipeline naming a
   *     missing store secret is refused at submission
   * @param audit records the outcome of every finished execution
   * @param limits ceilings on stages and steps of a submitted pipeline
   */
  public ExecutionService(Sql sql, TaskQueue queue, LogService logs, Supplier<String> publicUrl,
      String image, Clock clock, Ids ids, Predicate<String> secretExists, Audit audit,
      PipelineLimits limits) {
    this(sql, queue, logs, publicUrl, image, clock, ids, secretExists, audit, limits,
        PauseSettings.DEFAULT);
  }

  /** @param pause how long a stage with {@code onFailure: pause} waits for an operator */
  public ExecutionService(Sql sql, TaskQueue queue, LogService logs, Supplier<String> publicUrl,
      String image, Clock clock, Ids ids, Predicate<String> secretExists, Audit audit,
      PipelineLimits limits, PauseSettings pause) {
    this.validator = new PipelineValidator(limits).requiringDatabases();
    this.store = new ExecutionStore(sql);
    this.orchestrator = new Orchestrator(store, queue, logs, publicUrl, image, clock, ids, audit,
        pause.timeout());
    this.logs = logs;
    this.secretExists = secretExists;
  }

  /**
   * Where the approval rules of environments come from (stored environments, wired at startup): a
   * stage whose environment has one gets the approval steps of {@link ApprovalInsertion}.
   */
  public void environmentApprovals(Function<String, Optional<ApprovalRule>> lookup) {
    this.environmentApprovals = java.util.Objects.requireNonNull(lookup, "lookup");
  }

  /**
   * Which environments have the drift gate (stored environments, wired at startup): a stage
   * deploying to one gets the steps of {@link DriftGateSteps}.
   */
  public void environmentDriftGate(Predicate<String> gated) {
    this.environmentDriftGate = java.util.Objects.requireNonNull(gated, "gated");
  }

  /**
   * Tells {@code listener} what happens to executions (steps finished, approvals waiting, pauses,
   * ends); register before the orchestrator starts. See {@link ExecutionListener}.
   */
  public void addListener(ExecutionListener listener) {
    orchestrator.addListener(listener);
  }

  /** The orchestrator; its owner starts and closes it. */
  public Orchestrator orchestrator() {
    return orchestrator;
  }

  /**
   * Validates and submits a pipeline; returns the execution id.
   *
   * @throws Refusal 400 naming every problem
   */
  public String submit(Pipeline pipeline) {
    return submit(pipeline, new ExecutionOrigin(null, null, "api", pipeline.name(), null, Map.of()));
  }

  /**
   * Validates and submits a pipeline started by {@code origin}; returns the execution id.
   *
   * @throws Refusal 400 naming every problem
   */
  public String submit(Pipeline pipeline, ExecutionOrigin origin) {
    Pipeline withApprovals = ApprovalInsertion.apply(pipeline, environmentApprovals);
    Pipeline gated = DriftGateSteps.apply(withApprovals, environmentDriftGate, environmentApprovals);
    return orchestrator.submit(validate(gated), origin);
  }

  /**
   * Records {@code who}'s decision on the approval execution {@code id} waits for.
   *
   * @throws Refusal 404 for an unknown execution, 409 when nothing waits, 403 naming the rule
   *     when {@code who} may not decide
   */
  public ApprovalView decide(String id, Approver who, boolean approve, String comment) {
    view(id); // 404 first
    try {
      return orchestrator.decide(id, who, approve, comment).get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      throw new Refusal(Refusal.Kind.UNAVAILABLE, "unavailable", "The decision on execution " + id + " was not taken within 60 s"
          + " (the orchestrator is busy); list the approval again before deciding again", List.of());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** The approval steps of an execution that started, oldest first. */
  public List<ApprovalView> approvals(String id) {
    ExecutionRecord ex = store.find(id).orElseThrow(() -> Refusal.notFound(
        "No execution '" + id + "'; list them with GET /api/v1/executions"));
    return orchestrator.approvals().views(ex, null);
  }

  /**
   * The approvals waiting now, each saying whether {@code who} may approve it; only those it may
   * when {@code mine}.
   */
  public List<ApprovalView> waitingApprovals(Approver who, boolean mine) {
    List<ApprovalView> views = new ArrayList<>();
    for (ExecutionRecord ex : store.waitingApproval()) {
      orchestrator.approvals().views(ex, who).stream()
          .filter(v -> "WAITING".equals(v.status()) && (!mine || Boolean.TRUE.equals(v.youMayApprove())))
          .forEach(views::add);
    }
    return views;
  }

  /** The newest executions, newest first, without the targets' executions of rollouts. */
  public List<ExecutionView> newest(int limit) {
    return newest(limit, false);
  }

  /** The newest executions, newest first; the targets' executions of rollouts when {@code children}. */
  public List<ExecutionView> newest(int limit, boolean children) {
    return store.newest(limit, children).stream().map(this::view).toList();
  }

  // ---- rollouts (docs/fleet-rollouts.md); the controller lives in io.dbops.controlplane.rollouts

  private volatile Function<String, Map<String, io.dbops.api.RolloutView>> rolloutViews = id -> Map.of();

  /**
   * Wires the rollout controller: {@code hook} runs rollout stages; {@code views} gives an
   * execution's rollout views by stage name. Call before the orchestrator starts.
   */
  public void rollouts(RolloutHook hook, Function<String, Map<String, io.dbops.api.RolloutView>> views) {
    orchestrator.rollouts(hook);
    this.rolloutViews = java.util.Objects.requireNonNull(views, "views");
  }

  /** Runs {@code work} on the orchestrator thread (the rollout controller's thread too). */
  public boolean onOrchestrator(String executionId, Runnable work) {
    return orchestrator.execute(executionId, work);
  }

  /** See {@link RolloutHook}: ends a rollout stage, on the orchestrator thread. */
  public void finishRolloutStage(String id, String stageName, boolean succeeded, String error) {
    orchestrator.finishRolloutStage(id, stageName, succeeded, error);
  }

  /** Approves the waiting approval of rollout target {@code childId} by {@code coverage}. */
  public void coverApproval(String childId, RolloutHook.Coverage coverage) {
    orchestrator.coverApproval(childId, coverage);
  }

  /** Who started execution {@code id}, from where; empty for an unknown id or one stored without. */
  public Optional<ExecutionOrigin> origin(String id) {
    return store.find(id).map(r -> r.origin);
  }

  /** The executions of rollout {@code parentId}'s targets, oldest first. */
  public List<ExecutionView> children(String parentId) {
    return store.children(parentId).stream().map(ExecutionStore::view).toList();
  }

  /** Host and port of a JDBC URL (the per-host limit's key); null when it names none. */
  public static String hostOf(String jdbcUrl) {
    return TaskPayloads.reachability(jdbcUrl);
  }

  private ExecutionView view(ExecutionRecord r) {
    ExecutionView view = ExecutionStore.view(r);
    if (r.pipeline.stages().stream().noneMatch(st -> st != null && st.hasTargetGroup())) {
      return view;
    }
    Map<String, io.dbops.api.RolloutView> rollouts = rolloutViews.apply(r.id);
    List<ExecutionView.StageView> stages = view.stages().stream().map(s -> {
      io.dbops.api.RolloutView rv = rollouts.get(s.name());
      return rv == null ? s : new ExecutionView.StageView(s.name(), s.status(), s.error(), s.steps(),
          s.target(), s.delegateName(), s.delegateInstance(), s.startedAt(), s.finishedAt(), s.waiting(),
          s.recovery(), rv);
    }).toList();
    return new ExecutionView(view.id(), view.pipelineName(), view.status(), view.error(), view.createdAt(),
        view.startedAt(), view.finishedAt(), stages, view.origin(), view.events());
  }

  /**
   * Aborts an execution.
   *
   * @throws Refusal 404 for an unknown execution, 409 when it already finished
   */
  public void abort(String id) {
    orchestrator.abort(id);
  }

  /**
   * An operator's decision on a paused execution.
   *
   * @param action {@code retry}, {@code rollback} or {@code abort}
   * @param by who decided (the API token's name), for the log and the audit
   * @throws Refusal 400 for another action, 404 for an unknown execution, 409 when it is not
   *     paused
   */
  public void resume(String id, String action, String by) {
    if (!List.of("retry", "rollback", "abort").contains(action)) {
      throw Refusal.invalid("Resume needs an action: retry, rollback or abort, not '" + action + "'",
          List.of("action must be retry, rollback or abort"));
    }
    orchestrator.resume(id, action, by);
  }

  /**
   * A page of the execution's log, waiting up to {@code waitMillis} for new lines without holding
   * the calling thread (answer the HTTP request with {@code ctx.future}).
   */
  public CompletableFuture<LogPage> logs(String id, long after, long waitMillis) {
    if (store.status(id).isEmpty()) {
      throw Refusal.notFound("No execution '" + id + "'; list them with GET /api/v1/executions");
    }
    return logs.readAsync(id, after, waitMillis, e -> store.status(e).orElse(null));
  }

  /**
   * The pipeline an execution runs, its stored targets resolved.
   *
   * @throws Refusal 404 for an unknown execution
   */
  public Pipeline pipeline(String id) {
    return store.find(id).map(r -> r.pipeline).orElseThrow(() -> Refusal.notFound(
        "No execution '" + id + "'; list them with GET /api/v1/executions"));
  }

  public ExecutionView view(String id) {
    return store.find(id).map(this::view).orElseThrow(() -> Refusal.notFound(
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
      throw Refusal.invalid("Invalid pipeline: " + problems.size() + " problem(s); see details",
          problems);
    }
    List<String> missing = PipelineSecrets.storeNames(pipeline).stream()
        .filter(name -> !secretExists.test(name)).toList();
    if (!missing.isEmpty()) {
      throw Refusal.invalid("The pipeline uses secret(s) " + String.join(", ", missing)
          + " that the control plane's store does not hold; create each with `dbops secret create NAME"
          + " --value-env VAR` and submit again", missing.stream()
          .map(name -> "secret '" + name + "' does not exist").toList());
    }
    return pipeline;
  }
}
