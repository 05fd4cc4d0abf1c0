package io.dbops.controlplane.notifications;

import io.dbops.api.ExecutionView;
import io.dbops.controlplane.executions.ExecutionListener;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Turns execution events into outbox rows ({@link NotificationService#enqueue}): approval waiting
 * → {@code waiting}, paused → {@code paused}, finished → {@code succeeded} or {@code failed}, and
 * also {@code rolledBack} when a stage's {@code onFailure: rollback} rolled it back. Refreshes of the
 * migration state send nothing, and a rollout's per-target executions send only {@code waiting}
 * and {@code paused} (their outcome is in the rollout's own). Runs on the
 * orchestrator thread: it only writes rows; the {@link NotificationSender} thread sends them.
 */
public final class NotificationListener implements ExecutionListener {
  private static final String STORED = "target ";
  private final NotificationService service;
  private final Function<String, Optional<String>> targetEnvironment;

  /** @param targetEnvironment a stored target's environment (the catalog) */
  public NotificationListener(NotificationService service,
      Function<String, Optional<String>> targetEnvironment) {
    this.service = service;
    this.targetEnvironment = targetEnvironment;
  }

  @Override
  public void approvalWaiting(ExecutionView execution) {
    emit("waiting", execution, stage(execution, List.of("RUNNING", "WAITING_APPROVAL")));
  }

  @Override
  public void paused(ExecutionView execution) {
    ExecutionView.StageView paused = execution.stages().stream()
        .filter(s -> s.recovery() != null && "PAUSED".equals(s.recovery().status()))
        .findFirst().orElse(stage(execution, List.of("RUNNING", "PAUSED")));
    emit("paused", execution, paused);
  }

  @Override
  public void finished(ExecutionView execution) {
    if (isRolloutTarget(execution)) {
      return; // the rollout's own execution reports the outcome: not one event per target
    }
    boolean succeeded = "SUCCEEDED".equals(execution.status());
    ExecutionView.StageView stage = succeeded ? last(execution)
        : stage(execution, List.of("FAILED"));
    emit(succeeded ? "succeeded" : "failed", execution, stage);
    execution.stages().stream()
        .filter(s -> s.recovery() != null && "ROLLED_BACK".equals(s.recovery().status()))
        .findFirst().ifPresent(s -> emit("rolledBack", execution, s));
  }

  private static boolean isRolloutTarget(ExecutionView e) {
    return e.origin() != null && "rollout".equals(e.origin().source());
  }

  private void emit(String event, ExecutionView e, ExecutionView.StageView stage) {
    if (e.origin() != null && "refresh".equals(e.origin().source())) {
      return; // a read-only refresh of the migration state (docs/fleet-state.md) is not news
    }
    // the view shows a stored target as "target NAME" and an ad-hoc database as its URL
    String label = stage == null ? null : stage.target();
    String target = label != null && label.startsWith(STORED) ? label.substring(STORED.length())
        : null;
    String environment = target == null ? null : targetEnvironment.apply(target).orElse(null);
    String pipeline = e.origin() != null && e.origin().pipelineName() != null
        ? e.origin().pipelineName() : e.pipelineName();
    service.enqueue(new NotificationService.Event(event, e.id(), pipeline, e.status(),
        environment, target, stage == null ? null : stage.name(),
        e.origin() == null ? null : e.origin().startedBy()));
  }

  private static ExecutionView.StageView stage(ExecutionView e, List<String> statuses) {
    return e.stages().stream().filter(s -> statuses.contains(s.status())).findFirst()
        .orElse(last(e));
  }

  /** The last stage that started, else the first. */
  private static ExecutionView.StageView last(ExecutionView e) {
    ExecutionView.StageView found = e.stages().isEmpty() ? null : e.stages().get(0);
    for (ExecutionView.StageView s : e.stages()) {
      if (!"PENDING".equals(s.status()) && !"SKIPPED".equals(s.status())) {
        found = s;
      }
    }
    return found;
  }
}
