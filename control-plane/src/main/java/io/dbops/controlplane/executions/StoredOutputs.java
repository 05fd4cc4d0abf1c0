package io.dbops.controlplane.executions;

import io.dbops.protocol.StepOutput;
import java.util.LinkedHashMap;
import java.util.Map;

/** What of a step's output the execution record keeps. */
final class StoredOutputs {
  private StoredOutputs() {}

  /**
   * The output without the target's history rows ({@code history}, {@code historyGzip}: up to
   * thousands of rows that the migration state records, see docs/fleet-state.md); {@code
   * historyCount} stays. A history step keeps its {@code history} (the rows are what it is for),
   * except in a refresh (origin source {@code refresh}), whose rows only feed the state: a refresh of
   * 200 targets would otherwise rewrite megabytes of execution state on every save.
   */
  static StepOutput withoutHistory(StepOutput output, boolean refresh) {
    if (output == null || (!output.outputs().containsKey("historyCount") && !refresh)
        || (output.outputs().containsKey("count") && !refresh)) {
      return output;
    }
    Map<String, String> outputs = new LinkedHashMap<>(output.outputs());
    outputs.remove("history");
    outputs.remove("historyGzip");
    return new StepOutput(output.status(), output.error(), outputs, output.changesets(),
        output.durationMillis(), output.logLines(), output.undeliveredLogLines());
  }
}
