package io.dbops.cli.step;

import io.dbops.step.liquibase.ChangeSetOutcome;
import io.dbops.step.liquibase.StepCommand;
import io.dbops.step.liquibase.StepOutcome;
import java.io.PrintStream;
import java.util.Map;
import java.util.TreeMap;

/** The human-readable result of {@code dbops step}: outputs, changesets, status. */
final class StepOutcomePrinter {
  private final PrintStream out;

  StepOutcomePrinter(PrintStream out) {
    this.out = out;
  }

  void print(StepCommand command, StepOutcome outcome) {
    out.println();
    for (Map.Entry<String, String> e : new TreeMap<>(outcome.outputs()).entrySet()) {
      // sql, drift, violations and history are long; their content is already in the log lines above.
      if (!java.util.Set.of("sql", "drift", "violations", "history", "historyGzip").contains(e.getKey())) {
        out.println(e.getKey() + ": " + e.getValue());
      }
    }
    // HISTORY's rows are already in the log as a table, with more detail than a record.
    for (ChangeSetOutcome c : command.kind() == StepCommand.Kind.HISTORY ? java.util.List.<ChangeSetOutcome>of()
        : outcome.changesets()) {
      out.printf("  %-11s %s (%d ms)%n", c.state(), c.name(), c.durationMillis());
    }
    String verb = command.kind().name().toLowerCase(java.util.Locale.ROOT);
    if (outcome.status() == StepOutcome.Status.SUCCEEDED) {
      out.println(verb + " SUCCEEDED in " + outcome.durationMillis() + " ms");
    } else {
      // The error is the log's ERROR line just above: reported once.
      out.println(verb + " " + outcome.status() + " after " + outcome.durationMillis() + " ms (error above)");
    }
  }
}
