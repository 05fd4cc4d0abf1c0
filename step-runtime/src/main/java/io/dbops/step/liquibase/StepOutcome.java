package io.dbops.step.liquibase;

import java.util.List;
import java.util.Map;

/**
 * How a step ended. Immutable.
 *
 * @param error one actionable sentence when not SUCCEEDED; empty otherwise. Already masked.
 * @param outputs named outputs (for example changesetsApplied, preStartTag, sql)
 * @param changesets one record per changeset the step ran or, for STATUS, would run
 */
public record StepOutcome(
    Status status, String error, Map<String, String> outputs, List<ChangeSetOutcome> changesets,
    long durationMillis) {

  /** Mirrors the proto's StepStatus. */
  public enum Status { SUCCEEDED, FAILED, ABORTED }

  public StepOutcome {
    error = error == null ? "" : error;
    outputs = Map.copyOf(outputs);
    changesets = List.copyOf(changesets);
  }

  /** This outcome with its wall time set. */
  public StepOutcome withDuration(long millis) {
    return new StepOutcome(status, error, outputs, changesets, millis);
  }

  static StepOutcome succeeded(java.util.Map<String, String> outputs, List<ChangeSetOutcome> changesets) {
    return new StepOutcome(Status.SUCCEEDED, "", outputs, changesets, 0);
  }

  static StepOutcome failed(String error, java.util.Map<String, String> outputs, List<ChangeSetOutcome> changesets) {
    return new StepOutcome(Status.FAILED, error, outputs, changesets, 0);
  }
}
