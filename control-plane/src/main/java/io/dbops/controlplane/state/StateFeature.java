package io.dbops.controlplane.state;

import io.dbops.controlplane.Refusal;
import io.dbops.controlplane.catalog.CatalogException;
import io.dbops.controlplane.catalog.CatalogService;
import io.dbops.controlplane.catalog.Environment;
import io.dbops.controlplane.executions.ExecutionService;
import io.dbops.controlplane.store.Sql;
import io.dbops.api.ApprovalView;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * The migration state feature wired together for {@code ControlPlane}: its store, recorder
 * (an execution listener), service, refresher and routes. Register the recorder with {@link
 * #register} before the orchestrator starts; {@link #close} stops the refresher, then the recorder.
 */
public final class StateFeature implements AutoCloseable {
  /** How often the refresh schedule is checked. */
  static final long TICK_MILLIS = 30_000;

  private final StateRecorder recorder;
  private final StateRefresher refresher;
  private final StateRoutes routes;

  /** @param maxStages the stages a pipeline may have ({@code DBOPS_MAX_STAGES}) */
  public StateFeature(Sql sql, Clock clock, CatalogService catalog, ExecutionService executions,
      int maxStages) {
    StateStore store = new StateStore(sql);
    Fleet fleet = new Fleet() {
      @Override
      public Optional<String> targetEnvironment(String target) {
        return catalog.target(target).map(io.dbops.controlplane.catalog.Target::environment);
      }

      @Override
      public boolean environmentExists(String environment) {
        return catalog.environment(environment).isPresent();
      }

      @Override
      public List<String> targetsIn(String environment) {
        return catalog.targetsIn(environment);
      }
    };
    this.recorder = new StateRecorder(store, clock, fleet::targetEnvironment,
        (id, stage) -> approvers(executions, id, stage));
    this.refresher = new StateRefresher(fleet, catalog::environments, catalog::pipelines, p -> {
      try {
        return catalog.resolveAdHoc(p);
      } catch (CatalogException e) {
        throw Refusal.invalid(e.getMessage(), e.problems());
      }
    }, executions::submit, id -> executions.view(id).finished(), clock, TICK_MILLIS, maxStages);
    this.routes = new StateRoutes(new StateService(store, fleet), refresher, fleet);
    executions.environmentDriftGate(name -> catalog.environment(name).map(Environment::driftGated)
        .orElse(false));
  }

  /** Registers the recorder; call before the orchestrator starts. */
  public void register(ExecutionService executions) {
    executions.addListener(recorder);
  }

  public StateRoutes routes() {
    return routes;
  }

  public void start() {
    recorder.start();
    refresher.start();
  }

  @Override
  public void close() {
    refresher.close();
    recorder.close();
  }

  /** Who approved the stage: the approvers of its approved approval steps. */
  static List<String> approvers(ExecutionService executions, String executionId, String stage) {
    return executions.approvals(executionId).stream()
        .filter(a -> stage.equals(a.stage()) && "APPROVED".equals(a.status()))
        .flatMap(a -> a.decisions().stream())
        .filter(d -> "approve".equalsIgnoreCase(d.decision()))
        .map(ApprovalView.DecisionView::identity).distinct().toList();
  }
}
