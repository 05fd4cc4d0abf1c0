package io.dbops.cli.output;

import io.dbops.api.ExecutionView;
import io.dbops.api.ExecutionView.StageView;
import io.dbops.api.ExecutionView.StepView;
import io.dbops.protocol.StepOutput;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/** Prints the closing summary of an execution: per step what changed, then the outcome. */
public final class SummaryPrinter {
  private final PrintStream out;

  public SummaryPrinter(PrintStream out) {
    this.out = out;
  }

  public void print(ExecutionView execution, Duration elapsed) {
    out.println();
    out.println("Summary of execution " + execution.id() + " (" + execution.pipelineName() + ")");
    for (StageView stage : execution.stages()) {
      out.println("  stage " + stage.name() + ": " + stage.status());
      for (StepView step : stage.steps()) {
        out.println("    " + step.name() + " (" + step.type() + "): " + describe(step));
      }
      if (stage.recovery() != null) {
        RecoveryLines.of(execution.id(), stage.recovery()).forEach(line -> out.println("    " + line));
      }
    }
    String seconds = String.format(Locale.ROOT, "%.1f s", elapsed.toMillis() / 1000.0);
    if ("SUCCEEDED".equals(execution.status())) {
      out.println("Execution " + execution.id() + " SUCCEEDED in " + seconds + ".");
    } else {
      out.println("Execution " + execution.id() + " " + execution.status() + " after " + seconds
          + (execution.error() == null ? "." : ": " + execution.error()));
    }
    out.flush();
  }

  static String describe(StepView step) {
    StepOutput output = step.output();
    if (!"SUCCEEDED".equals(step.status())) {
      String error = step.error() != null ? step.error() : output != null ? output.error() : null;
      return step.status() + (error == null || error.isBlank() ? "" : ": " + error);
    }
    if (output == null) {
      return step.status();
    }
    String applied = output.outputs().get("changesetsApplied");
    if ("apply".equals(step.type()) && applied != null) {
      if ("0".equals(applied)) {
        return "database is up to date, nothing to apply";
      }
      String tag = output.outputs().getOrDefault("preStartTag", "");
      return applied + " changeset" + ("1".equals(applied) ? "" : "s") + " applied"
          + (tag.isBlank() ? "" : "; rollback tag recorded before applying: " + tag)
          + (output.outputs().containsKey("postTag") ? "; tagged after: " + output.outputs().get("postTag") : "");
    }
    if ("status".equals(step.type()) && output.outputs().containsKey("pending")) {
      return output.outputs().get("pending") + " changeset(s) pending";
    }
    if ("rollback".equals(step.type()) && output.outputs().containsKey("rolledBack")) {
      return output.outputs().get("rolledBack") + " changeset(s) rolled back";
    }
    if ("sync".equals(step.type()) && output.outputs().containsKey("synced")) {
      return output.outputs().get("synced") + " changeset(s) marked as applied without running them";
    }
    if ("drift".equals(step.type()) && output.outputs().containsKey("driftCount")) {
      String count = output.outputs().get("driftCount");
      return "0".equals(count) ? "no drift: the schema matches the applied changesets"
          : count + " difference(s) between the live schema and the applied changesets";
    }
    if ("policy".equals(step.type()) && output.outputs().containsKey("violationCount")) {
      return output.outputs().get("violationCount") + " policy violation(s), "
          + output.outputs().getOrDefault("warningCount", "0") + " warning(s)";
    }
    return "succeeded";
  }
}
