package io.dbops.controlplane.rollouts;

import io.dbops.api.ExecutionView;
import io.dbops.controlplane.Refusal;
import io.dbops.controlplane.catalog.Target;
import io.dbops.controlplane.executions.ExecutionListener;
import io.dbops.controlplane.executions.ExecutionOrigin;
import io.dbops.controlplane.executions.ExecutionService;
import io.dbops.controlplane.executions.RolloutHook;
import io.dbops.controlplane.logs.LogService;
import io.dbops.controlplane.rollouts.RolloutStore.TargetRow;
import io.dbops.pipeline.Pipeline;
import io.dbops.pipeline.Rollout;
import io.dbops.pipeline.Stage;
import io.dbops.support.Json;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs rollout stages (docs/fleet-rollouts.md): one child execution per target, started by the
 * policy ({@link RolloutPlanner}) as earlier targets finish; one approval for every target with
 * the same pending SQL; the stage ends when every target did. Its state lives in the database
 * ({@link RolloutStore}) and every decision runs in a transaction holding the rollout's row lock,
 * so a restarted or second control plane continues from it. Driven on the orchestrator thread
 * (every {@link ExecutionListener} and {@link RolloutHook} call arrives there, and {@link #start}
 * queues its catch-up there); not meant to be called from another thread.
 */
public final class RolloutController implements ExecutionListener, RolloutHook {
  private static final Logger log = LoggerFactory.getLogger(RolloutController.class);
  static final String SOURCE = "rollout";

  private final RolloutStore store;
  private final ExecutionService executions;
  private final Function<String, Optional<Target>> targets;
  private final UnaryOperator<Pipeline> resolver;
  private final LogService logs;
  private final Clock clock;

  /**
   * @param targets stored targets by name (for each target's database host)
   * @param resolver resolves the stored target a child's stage names; throws a {@link Refusal}
   *     when it cannot
   */
  public RolloutController(io.dbops.controlplane.store.Sql sql, ExecutionService executions,
      Function<String, Optional<Target>> targets, UnaryOperator<Pipeline> resolver, LogService logs,
      Clock clock) {
    this.store = new RolloutStore(sql);
    this.executions = executions;
    this.targets = targets;
    this.resolver = resolver;
    this.logs = logs;
    this.clock = clock;
  }

  RolloutStore store() {
    return store;
  }

  /** Registers with {@code executions}; call before the orchestrator starts. */
  public void register() {
    executions.addListener(this);
    executions.rollouts(this, id -> RolloutViews.of(store, id));
  }

  /**
   * Continues the rollouts left unfinished by a stop: children that finished meanwhile are
   * counted, then each rollout is driven. Call after the orchestrator started.
   */
  public void start() {
    executions.onOrchestrator("", () -> {
      for (RolloutStore.Rollout r : store.unfinished()) {
        try {
          catchUp(r);
        } catch (RuntimeException e) {
          log.error("Rollout {} of execution {}: catching up after a restart failed", r.stage(),
              r.executionId(), e);
        }
      }
    });
  }

  private void catchUp(RolloutStore.Rollout r) {
    List<TargetRow> rows = store.targets(r.executionId(), r.stage());
    // a child started just before a stop whose start was not recorded: adopt it, do not run it twice
    for (ExecutionView child : executions.children(r.executionId())) {
      String target = childTarget(child);
      rows.stream().filter(t -> t.target().equals(target) && t.childId() == null
              && RolloutPlanner.QUEUED.equals(t.status()) && r.stage().equals(child.origin().parentStage()))
          .findFirst().ifPresent(t -> store.sql().inTransaction(c ->
              RolloutStore.move(c, t, RolloutPlanner.QUEUED, RolloutPlanner.RUNNING, child.id(), null,
                  clock.millis(), null)));
    }
    for (TargetRow t : store.targets(r.executionId(), r.stage())) {
      if (t.childId() != null && active(t.status())) {
        ExecutionView child = executions.view(t.childId());
        if (child.finished()) {
          recordEnd(t, child);
        }
      }
    }
    drive(r.executionId(), r.stage());
  }

  private static String childTarget(ExecutionView child) {
    String label = child.stages().isEmpty() ? null : child.stages().get(0).target();
    return label != null && label.startsWith("target ") ? label.substring("target ".length()) : label;
  }

  // ---- RolloutHook

  @Override
  public String podReuseKey(String parentId, String parentStage) {
    Pipeline parent = executions.pipeline(parentId);
    boolean reused = parent != null && parent.stages().stream()
        .anyMatch(s -> s != null && s.name().equals(parentStage) && s.rollout() != null && s.rollout().podsReused());
    return reused ? "rollout:" + parentId + ":" + parentStage : null;
  }

  @Override
  public void stageStarted(String executionId, Stage stage) {
    Rollout policy = stage.rollout() == null ? Rollout.DEFAULTS : stage.rollout();
    List<String> names = stage.groupTargets();
    int[] waves = policy.waveOf(names.size());
    List<TargetRow> rows = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      String host = targets.apply(names.get(i)).map(t -> ExecutionService.hostOf(t.url())).orElse(null);
      rows.add(new TargetRow(executionId, stage.name(), i, names.get(i), host, waves[i], RolloutPlanner.QUEUED,
          null, null, null, List.of(), false));
    }
    boolean created = store.sql().inTransaction(c -> {
      if (store.find(c, executionId, stage.name()).isPresent()) {
        return false; // started before a restart
      }
      store.insert(c, new RolloutStore.Rollout(executionId, stage.name(), stage.targetGroup(),
          Json.write(policy), RolloutStore.RUNNING, null, null, clock.millis(), null), rows);
      return true;
    });
    if (created) {
      logs.appendControl(executionId, "INFO", "Rollout " + stage.name() + ": " + names.size() + " target(s) in "
          + (waves.length == 0 ? 0 : waves[waves.length - 1] + 1) + " wave(s) (canary " + Math.min(
              policy.canaryCount(), names.size()) + "), at most " + policy.maxParallelCount() + " at once"
          + (policy.perHost() == null ? "" : ", " + policy.perHost() + " per database host")
          + ", stopping after " + policy.budget(names.size()) + " failure(s)");
    }
    drive(executionId, stage.name());
  }

  @Override
  public void aborted(String executionId) {
    for (RolloutStore.Rollout r : store.of(executionId)) {
      if (!RolloutStore.RUNNING.equals(r.status())) {
        continue;
      }
      store.sql().inTransaction(c -> {
        RolloutStore.setRollout(c, executionId, r.stage(), RolloutStore.ABORTING, "the execution was aborted", null);
        return null;
      });
      for (TargetRow t : store.targets(executionId, r.stage())) {
        if (t.childId() != null && active(t.status())) {
          try {
            executions.abort(t.childId());
          } catch (Refusal e) {
            // finished meanwhile: its end is counted when it arrives
          }
        }
      }
      drive(executionId, r.stage());
    }
  }

  @Override
  public Optional<Coverage> approvalEntered(String childId, String sqlHash, String ruleKey) {
    Optional<TargetRow> row = store.byChild(childId);
    if (row.isEmpty()) {
      return Optional.empty();
    }
    TargetRow t = row.get();
    Optional<String[]> given = store.approvalOf(t.executionId(), t.stage(), coverageKey(sqlHash, ruleKey));
    if (given.isPresent()) {
      List<String> approvers = List.of(given.get()[0].split(","));
      store.approval(childId, sqlHash, false, approvers, RolloutPlanner.RUNNING);
      logs.appendControl(t.executionId(), "INFO", "Rollout " + t.stage() + ": target " + t.target()
          + " shows the approved SQL (hash " + sqlHash + "); covered by the approval in " + given.get()[1]);
      return Optional.of(new Coverage(sqlHash, ruleKey, approvers, given.get()[1]));
    }
    String rolloutHash = store.sql().inTransaction(c -> {
      RolloutStore.setRolloutHash(c, t.executionId(), t.stage(), sqlHash);
      return store.find(c, t.executionId(), t.stage()).map(RolloutStore.Rollout::sqlHash).orElse(sqlHash);
    });
    boolean own = !sqlHash.equals(rolloutHash);
    store.approval(childId, sqlHash, own, null, RolloutPlanner.WAITING_APPROVAL);
    logs.appendControl(t.executionId(), own ? "WARN" : "INFO", "Rollout " + t.stage() + ": target " + t.target()
        + " waits for approval in execution " + childId + (own ? "; its pending SQL (hash " + sqlHash
            + ") differs from the rollout's (" + rolloutHash + "): it needs its own decision"
            : "; approving it approves every target of this rollout with the same SQL (hash " + sqlHash + ")")
        + ". Approve: dbops approve " + childId);
    return Optional.empty();
  }

  @Override
  public void approved(String childId, String sqlHash, String ruleKey, List<String> approvers) {
    Optional<TargetRow> row = store.byChild(childId);
    if (row.isEmpty()) {
      return;
    }
    TargetRow t = row.get();
    store.approval(childId, sqlHash, t.ownApproval(), approvers, RolloutPlanner.RUNNING);
    store.recordApproval(t.executionId(), t.stage(), coverageKey(sqlHash, ruleKey), approvers, childId,
        clock.millis());
    Coverage coverage = new Coverage(sqlHash, ruleKey, approvers, childId);
    for (TargetRow other : store.targets(t.executionId(), t.stage())) {
      if (!childId.equals(other.childId()) && RolloutPlanner.WAITING_APPROVAL.equals(other.status())
          && sqlHash.equals(other.sqlHash())) {
        // covered only when it waits under the same rule (checked on the orchestrator thread); its
        // row shows WAITING_APPROVAL until it ends (the approvers come from its approval step then)
        executions.coverApproval(other.childId(), coverage);
      }
    }
  }

  // ---- ExecutionListener

  @Override
  public void approvalWaiting(ExecutionView execution) {
    // recorded by approvalEntered, which knows the hash
  }

  @Override
  public void finished(ExecutionView execution) {
    ExecutionView.Origin origin = execution.origin();
    if (origin == null || origin.parentId() == null) {
      return;
    }
    store.byChild(execution.id()).ifPresent(t -> {
      recordEnd(t, execution);
      drive(t.executionId(), t.stage());
    });
  }

  private void recordEnd(TargetRow t, ExecutionView child) {
    String status = "SUCCEEDED".equals(child.status()) ? RolloutPlanner.SUCCEEDED
        : child.stages().stream().anyMatch(s -> s.recovery() != null && "ROLLED_BACK".equals(s.recovery().status()))
            ? RolloutPlanner.ROLLED_BACK : RolloutPlanner.FAILED;
    List<String> approvedBy = new ArrayList<>();
    child.stages().forEach(s -> s.steps().forEach(st -> {
      if ("approval".equals(st.type()) && st.output() != null && st.output().outputs().get("approvedBy") != null) {
        for (String who : st.output().outputs().get("approvedBy").split(",")) {
          if (!who.isBlank() && !approvedBy.contains(who)) {
            approvedBy.add(who);
          }
        }
      }
    }));
    boolean moved = store.sql().inTransaction(c -> {
      boolean m = RolloutStore.move(c, t, RolloutPlanner.RUNNING, status, null, child.error(), null, clock.millis())
          || RolloutStore.move(c, t, RolloutPlanner.WAITING_APPROVAL, status, null, child.error(), null, clock.millis());
      return m;
    });
    if (!approvedBy.isEmpty()) {
      store.approvedBy(child.id(), approvedBy);
    }
    if (moved) {
      logs.appendControl(t.executionId(), RolloutPlanner.SUCCEEDED.equals(status) ? "INFO" : "ERROR",
          "Rollout " + t.stage() + ": target " + t.target() + " " + status + " (execution " + child.id() + ")"
              + (child.error() == null || RolloutPlanner.SUCCEEDED.equals(status) ? "" : ": " + child.error()));
    }
  }

  // ---- the decisions

  /** Starts what the policy allows now, skips what will never start, and ends the stage when done. */
  void drive(String executionId, String stageName) {
    for (int round = 0; round < 10_000; round++) {
      Boolean again = store.sql().inTransaction(c -> {
        Optional<RolloutStore.Rollout> locked = store.lock(c, executionId, stageName);
        if (locked.isEmpty() || locked.get().finished()) {
          return false;
        }
        RolloutStore.Rollout r = locked.get();
        Rollout policy = RolloutViews.policy(r);
        List<TargetRow> rows = store.targets(c, executionId, stageName);
        List<RolloutPlanner.Entry> entries = rows.stream()
            .map(t -> new RolloutPlanner.Entry(t.target(), t.host(), t.wave(), t.status())).toList();
        RolloutPlanner.Plan plan = RolloutPlanner.plan(entries, policy.maxParallelCount(), policy.perHostCount(),
            policy.budget(rows.size()), RolloutStore.ABORTING.equals(r.status()));
        long now = clock.millis();
        for (String skipped : plan.skip()) {
          TargetRow t = rows.stream().filter(x -> x.target().equals(skipped)).findFirst().orElseThrow();
          RolloutStore.move(c, t, RolloutPlanner.QUEUED, RolloutPlanner.SKIPPED, null,
              "not started: " + plan.stopReason(), null, now);
        }
        if (!plan.skip().isEmpty()) {
          logs.appendControl(executionId, "WARN", "Rollout " + stageName + ": " + plan.stopReason() + "; "
              + plan.skip().size() + " target(s) not started: " + String.join(", ", plan.skip()));
        }
        boolean startFailed = false;
        for (String name : plan.start()) {
          TargetRow t = rows.stream().filter(x -> x.target().equals(name)).findFirst().orElseThrow();
          try {
            String child = startChild(executionId, stageName, name);
            RolloutStore.move(c, t, RolloutPlanner.QUEUED, RolloutPlanner.RUNNING, child, null, now, null);
            logs.appendControl(executionId, "INFO", "Rollout " + stageName + ": target " + name + " (wave "
                + t.wave() + (t.host() == null ? "" : ", host " + t.host()) + ") started as execution " + child);
          } catch (RuntimeException e) {
            String why = "cannot start: " + e.getMessage();
            RolloutStore.move(c, t, RolloutPlanner.QUEUED, RolloutPlanner.FAILED, null, why, now, now);
            logs.appendControl(executionId, "ERROR", "Rollout " + stageName + ": target " + name + " " + why);
            startFailed = true;
          }
        }
        if (startFailed) {
          return true; // the plan changes with these failures
        }
        if (plan.done()) {
          String status = plan.succeeded() ? "SUCCEEDED" : "FAILED";
          RolloutStore.setRollout(c, executionId, stageName, status,
              plan.stopReason() != null ? plan.stopReason() : r.stopReason(), now);
          String error = plan.succeeded() ? null : summary(store.targets(c, executionId, stageName), plan.stopReason());
          logs.appendControl(executionId, plan.succeeded() ? "INFO" : "ERROR", "Rollout " + stageName
              + " finished: " + status + (error == null ? "" : " (" + error + ")"));
          executions.finishRolloutStage(executionId, stageName, plan.succeeded(), error);
        }
        return false;
      });
      if (!Boolean.TRUE.equals(again)) {
        return;
      }
    }
  }

  private static String summary(List<TargetRow> rows, String stopReason) {
    long failed = rows.stream().filter(t -> RolloutPlanner.FAILED.equals(t.status())).count();
    long rolledBack = rows.stream().filter(t -> RolloutPlanner.ROLLED_BACK.equals(t.status())).count();
    long skipped = rows.stream().filter(t -> RolloutPlanner.SKIPPED.equals(t.status())).count();
    long succeeded = rows.stream().filter(t -> RolloutPlanner.SUCCEEDED.equals(t.status())).count();
    return "rollout: " + succeeded + " of " + rows.size() + " target(s) succeeded, " + failed + " failed, "
        + rolledBack + " rolled back, " + skipped + " skipped" + (stopReason == null ? "" : "; " + stopReason);
  }

  /** Submits one target's execution of the stage; throws with the reason when it cannot. */
  private String startChild(String executionId, String stageName, String target) {
    Pipeline parent = executions.pipeline(executionId);
    Stage stage = parent.stages().stream().filter(s -> s != null && stageName.equals(s.name())).findFirst()
        .orElseThrow(() -> new IllegalStateException("execution " + executionId + " has no stage " + stageName));
    Pipeline child = resolver.apply(new Pipeline(parent.name(), List.of(stage.forTarget(target))));
    ExecutionOrigin origin = executions.origin(executionId)
        .orElse(new ExecutionOrigin(null, null, SOURCE, parent.name(), null, java.util.Map.of()))
        .childOf(executionId, stageName);
    return executions.submit(child, origin);
  }

  /**
   * What a decision covers: the SQL hash under one approval rule (SHA-256 of the rule's JSON), so a
   * decision under another environment's weaker rule never covers a stricter one.
   */
  static String coverageKey(String sqlHash, String ruleKey) {
    try {
      byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
          .digest(ruleKey.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return sqlHash + "|" + java.util.HexFormat.of().formatHex(digest);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  static boolean active(String status) {
    return RolloutPlanner.RUNNING.equals(status) || RolloutPlanner.WAITING_APPROVAL.equals(status);
  }
}
