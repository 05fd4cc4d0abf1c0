package io.dbops.controlplane.state;

import io.dbops.api.ExecutionView;
import io.dbops.controlplane.executions.ExecutionListener;
import io.dbops.controlplane.executions.StepFinished;
import io.dbops.controlplane.state.StateViews.Changeset;
import io.dbops.protocol.StepOutput;
import io.dbops.support.NamedThreadFactory;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records migration state from runs (docs/fleet-state.md "Recording"): on a finished step of a
 * stage with a stored target, its history, pending changesets and drift; on a finished execution,
 * each deployed target's last deployment. The listener calls only queue work; the writes run on
 * this recorder's one thread, {@code cp-state-1}, in order (bounded queue of {@value #QUEUE}; a
 * refused item is logged and the next refresh repairs the state). {@link #start} before the
 * orchestrator starts; {@link #close} is idempotent.
 */
public final class StateRecorder implements ExecutionListener, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StateRecorder.class);
  static final int QUEUE = 10_000;
  private static final Set<String> DEPLOYING = Set.of("apply", "rollback", "sync");

  private final StateStore store;
  private final Clock clock;
  private final Function<String, Optional<String>> targetEnvironment;
  private final BiFunction<String, String, List<String>> approvers;
  private final AtomicBoolean closed = new AtomicBoolean();
  private ThreadPoolExecutor worker;

  /**
   * @param targetEnvironment the environment of a stored target; empty when no such target (a
   *     stage on an ad-hoc database records nothing)
   * @param approvers who approved stage {@code (executionId, stage)}; empty for nobody
   */
  StateRecorder(StateStore store, Clock clock, Function<String, Optional<String>> targetEnvironment,
      BiFunction<String, String, List<String>> approvers) {
    this.store = store;
    this.clock = clock;
    this.targetEnvironment = targetEnvironment;
    this.approvers = approvers;
  }

  public void start() {
    worker = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE),
        new NamedThreadFactory("cp-state", true), (task, pool) -> log.warn(
            "Migration state: {} updates are waiting already; one was dropped (a refresh repairs it)", QUEUE));
  }

  @Override
  public void stepFinished(StepFinished event) {
    if (event.stage().target() == null || event.output() == null) {
      return;
    }
    submit(() -> record(event));
  }

  @Override
  public void finished(ExecutionView execution) {
    submit(() -> recordDeployment(execution));
  }

  private void submit(Runnable work) {
    ThreadPoolExecutor w = worker;
    if (w == null || closed.get()) {
      return;
    }
    w.execute(() -> {
      try {
        work.run();
      } catch (RuntimeException e) {
        log.error("Recording migration state failed", e);
      }
    });
  }

  /** The recording of one finished step (on the recorder's thread; package-private for tests). */
  void record(StepFinished event) {
    String target = event.stage().target();
    Optional<String> env = targetEnvironment.apply(target);
    if (env.isEmpty()) {
      return; // deleted meanwhile
    }
    String environment = env.get();
    StepOutput output = event.output();
    long now = clock.millis();
    if (StateMapping.hasHistory(output)) {
      List<String> approvedBy = event.succeeded() && DEPLOYING.contains(event.stepType())
          ? approvers.apply(event.executionId(), event.stage().name()) : List.of();
      // Only a step that writes changesets can be the one that applied them (a history step
      // reports every row it read).
      String applier = DEPLOYING.contains(event.stepType()) ? event.executionId() : null;
      List<Changeset> rows = StateMapping.rows(StateMapping.historyJson(output), output,
          applier, approvedBy, store.changesets(target));
      store.replaceHistory(target, environment, now, event.executionId(), rows);
      log.debug("Migration state of target {}: {} changeset(s) from execution {}", target, rows.size(),
          event.executionId());
    }
    String pipeline = pipelineOf(event);
    // An update preview has a sqlHash; a rollback preview lists what it would undo, not what is pending.
    if (event.succeeded() && pipeline != null && ("status".equals(event.stepType())
        || ("preview".equals(event.stepType()) && output.outputs().containsKey("sqlHash")))) {
      store.putPending(target, environment, pipeline, now, event.executionId(), StateMapping.pending(output));
    } else if (event.succeeded() && pipeline != null && "apply".equals(event.stepType())) {
      // The apply ran everything its changelog had pending.
      store.putPending(target, environment, pipeline, now, event.executionId(), List.of());
    }
    if ("drift".equals(event.stepType()) && output.outputs().containsKey("driftCount")) {
      int count = Integer.parseInt(output.outputs().get("driftCount"));
      store.setDrift(target, environment, count > 0 ? "drifted" : "clean", now, event.executionId(),
          StateMapping.differences(output));
    }
  }

  /**
   * The pipeline a step's pending list belongs to: for a refresh, the status step is named after
   * the stored pipeline whose changelog it checks; otherwise the execution's pipeline.
   */
  private static String pipelineOf(StepFinished event) {
    if (event.origin() == null) {
      return null;
    }
    if (StateRefresher.SOURCE.equals(event.origin().source())) {
      return "status".equals(event.stepType()) ? event.stepName() : null;
    }
    return event.origin().pipelineName();
  }

  /** Each stored target a deploying step ran on gets this execution as its last deployment. */
  void recordDeployment(ExecutionView ex) {
    for (ExecutionView.StageView stage : ex.stages()) {
      // The view labels a stored target "target NAME" (an ad-hoc database by its URL).
      if (stage.target() == null || !stage.target().startsWith("target ")) {
        continue;
      }
      String target = stage.target().substring("target ".length());
      boolean deployed = stage.steps().stream().anyMatch(s -> DEPLOYING.contains(s.type())
          && ("SUCCEEDED".equals(s.status()) || "FAILED".equals(s.status())));
      Optional<String> env = deployed ? targetEnvironment.apply(target) : Optional.empty();
      if (env.isPresent()) {
        String pipeline = ex.origin() != null && ex.origin().pipelineName() != null
            ? ex.origin().pipelineName() : ex.pipelineName();
        store.setLastDeployment(target, env.get(), ex.id(), pipeline, ex.status(),
            ex.finishedAt() == null ? clock.millis() : ex.finishedAt().toEpochMilli());
      }
    }
  }

  /** Waits until every queued update is written (tests, shutdown). */
  boolean awaitIdle(long millis) throws InterruptedException {
    long end = System.nanoTime() + millis * 1_000_000;
    while (System.nanoTime() < end) {
      if (worker.getQueue().isEmpty() && worker.getActiveCount() == 0) {
        return true;
      }
      Thread.sleep(10); // a bounded poll of the worker's own counters
    }
    return false;
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true) || worker == null) {
      return;
    }
    worker.shutdown();
    try {
      if (!worker.awaitTermination(10, TimeUnit.SECONDS)) {
        worker.shutdownNow();
      }
    } catch (InterruptedException e) {
      worker.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
