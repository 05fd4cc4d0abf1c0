package io.dbops.controlplane.rollouts;

import io.dbops.api.ExecutionView;
import io.dbops.controlplane.Refusal;
import io.dbops.controlplane.executions.ExecutionOrigin;
import io.dbops.controlplane.executions.ExecutionService;
import io.dbops.pipeline.Pipeline;
import io.dbops.pipeline.Stage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Retries a finished rollout (docs/fleet-rollouts.md "Retry"): a new execution of the same
 * pipeline holding only its rollout stages that have targets to retry, each restricted to them:
 * the FAILED and ROLLED_BACK targets with {@code failedOnly}, and also the SKIPPED ones (never
 * started after a stop) without. Thread-safe.
 */
final class RolloutRetries {
  private static final Set<String> FAILED = Set.of(RolloutPlanner.FAILED, RolloutPlanner.ROLLED_BACK);
  private static final Set<String> NOT_SUCCEEDED =
      Set.of(RolloutPlanner.FAILED, RolloutPlanner.ROLLED_BACK, RolloutPlanner.SKIPPED);

  private final RolloutStore store;
  private final ExecutionService executions;

  RolloutRetries(RolloutStore store, ExecutionService executions) {
    this.store = store;
    this.executions = executions;
  }

  /** The pipeline a retry of execution {@code id} runs. @throws Refusal 404, 409 */
  Pipeline pipeline(String id, boolean failedOnly) {
    ExecutionView view = executions.view(id); // 404
    if (!view.finished()) {
      throw new Refusal(Refusal.Kind.CONFLICT, "conflict", "Execution " + id + " is " + view.status()
          + "; only a finished rollout can be retried (abort it first: dbops abort " + id + ")", List.of());
    }
    Pipeline pipeline = executions.pipeline(id);
    if (pipeline.stages().stream().noneMatch(s -> s != null && s.hasTargetGroup())) {
      throw new Refusal(Refusal.Kind.CONFLICT, "conflict", "Execution " + id + " has no rollout stage (no"
          + " stage names a targetGroup); run its pipeline again instead", List.of());
    }
    Set<String> wanted = failedOnly ? FAILED : NOT_SUCCEEDED;
    List<Stage> stages = new ArrayList<>();
    for (Stage stage : pipeline.stages()) {
      if (stage == null || !stage.hasTargetGroup()) {
        continue;
      }
      List<String> retry = store.targets(id, stage.name()).stream()
          .filter(t -> wanted.contains(t.status())).map(RolloutStore.TargetRow::target).toList();
      if (!retry.isEmpty()) {
        stages.add(stage.withGroupTargets(retry));
      }
    }
    if (stages.isEmpty()) {
      throw new Refusal(Refusal.Kind.CONFLICT, "conflict", "Execution " + id + " has no " + (failedOnly
          ? "failed or rolled-back" : "failed, rolled-back or skipped") + " target to retry", List.of());
    }
    return pipeline.withStages(stages);
  }

  /** Submits the retry; returns the new execution's id. */
  String retry(String id, boolean failedOnly, ExecutionOrigin origin) {
    return executions.submit(pipeline(id, failedOnly), origin);
  }

  static ExecutionOrigin origin(ExecutionOrigin caller, ExecutionView previous) {
    ExecutionView.Origin o = previous.origin();
    return new ExecutionOrigin(caller.startedBy(), caller.tokenName(), caller.source(),
        o == null ? previous.pipelineName() : o.pipelineName(), o == null ? null : o.pipelineVersion(),
        o == null ? Map.of() : o.inputs());
  }
}
