package io.dbops.controlplane.executions;

import io.dbops.protocol.StepOutput;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The progress of one execution, stored as JSON in {@code executions.state}. Mutable: only the
 * orchestrator thread changes it, and it is saved after every event.
 */
final class ExecutionState {
  public List<StageState> stages = new ArrayList<>();
  /** Set by {@code POST /api/v1/executions/{id}/abort}: no new work starts; cleanups still run. */
  public boolean aborted;
  /**
   * What happened besides stages running, oldest first: a stage no delegate could take (this
   * class), and the hooks for approvals and rollbacks ({@link #event}).
   */
  public List<Event> events = new ArrayList<>();

  /** Appends an event; {@code details} may be null. */
  Event event(long at, String type, String stage, String actor, String message,
      Map<String, String> details) {
    Event e = new Event();
    e.at = at;
    e.type = type;
    e.stage = stage;
    e.actor = actor;
    e.message = message;
    e.details = details == null ? new LinkedHashMap<>() : new LinkedHashMap<>(details);
    events.add(e);
    return e;
  }

  /** The identity that submitted it (an API token's owner); approval rules compare against it. */
  public String startedBy;

  static final class StageState {
    public String name;
    public String status = "PENDING";
    public String error;
    public String podName;
    /** The delegate instance that created the pod; later tasks of the stage are pinned to it. */
    public String instance;
    /** That delegate's name (from its hello). */
    public String delegateName;
    /** The stored target's name, or the database URL without credentials and properties. */
    public String target;
    /** When the stage started (epoch millis): its build pod lives at most its lifetime from then. */
    public Long startedAt;
    public Long finishedAt;
    /** While no connected delegate can take the stage's init task: why, and how long it waits. */
    public String waiting;
    public String liteEngineAddress;
    public List<Integer> stepPorts = new ArrayList<>();
    public List<StepState> steps = new ArrayList<>();
    /** What the stage's failure strategy did ({@code onFailure: rollback|pause}); null before a failure. */
    public FailureRecovery recovery;
  }

  static final class StepState {
    public String name;
    public String type;
    public String status = "PENDING";
    public String error;
    public Long startedAt;
    public Long finishedAt;
    public StepOutput output;
    /** For an approval step once it started: what it waits for and showed, and the decisions. */
    public io.dbops.controlplane.approvals.ApprovalState approval;
  }

  /** See {@link io.dbops.api.ExecutionView.Event}. */
  static final class Event {
    public long at;
    public String type;
    public String stage;
    public String actor;
    public String message;
    public Map<String, String> details = new LinkedHashMap<>();
  }
}
