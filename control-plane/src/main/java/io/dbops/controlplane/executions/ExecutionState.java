package io.dbops.controlplane.executions;

import io.dbops.protocol.StepOutput;
import java.util.ArrayList;
import java.util.List;

/**
 * The progress of one execution, stored as JSON in {@code executions.state}. Mutable: only the
 * orchestrator thread changes it, and it is saved after every event.
 */
final class ExecutionState {
  public List<StageState> stages = new ArrayList<>();
  /** Set by {@code POST /api/v1/executions/{id}/abort}: no new work starts; cleanups still run. */
  public boolean aborted;

  static final class StageState {
    public String name;
    public String status = "PENDING";
    public String error;
    public String podName;
    /** The delegate instance that created the pod; later tasks of the stage are pinned to it. */
    public String instance;
    public String liteEngineAddress;
    public List<Integer> stepPorts = new ArrayList<>();
    public List<StepState> steps = new ArrayList<>();
    /** When the stage started (epoch millis): its build pod lives at most the stage timeout from then. */
    public Long startedAt;
    /** What the stage's failure strategy did ({@code onFailure: rollback|pause}); null before a failure. */
    public FailureRecovery recovery;
  }

  static final class StepState {
    public String name;
    public String type;
    public String status = "PENDING";
    public String error;
    public StepOutput output;
  }
}
