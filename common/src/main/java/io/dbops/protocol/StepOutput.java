package io.dbops.protocol;

import java.util.List;
import java.util.Map;

/**
 * Output of an {@link TaskTypes#EXECUTE_STEP} task: the step container's result.
 *
 * @param status SUCCEEDED, FAILED or ABORTED
 * @param error one actionable sentence when not SUCCEEDED
 * @param outputs named outputs such as {@code preStartTag} and {@code changesetsApplied}
 * @param changesets the changesets the step touched, in order
 */
public record StepOutput(
    String status,
    String error,
    Map<String, String> outputs,
    List<ChangeSet> changesets,
    long durationMillis,
    long logLines,
    long undeliveredLogLines) {
  public StepOutput {
    outputs = outputs == null ? Map.of() : Map.copyOf(outputs);
    changesets = changesets == null ? List.of() : List.copyOf(changesets);
  }

  /** One changeset touched by a step. */
  public record ChangeSet(
      String id, String author, String file, String state, long durationMillis, int statements) {}
}
