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
    java.util.List<String> stepErrors = new java.util.ArrayList<>();
    for (StageView stage : execution.stages()) {
      out.println("  stage " + stage.name() + ": " + stage.status());
      for (StepView step : stage.steps()) {
        out.println("    " + step.name() + " (" + step.type() + "): " + describe(step));
        stepErrors.add(stepError(step));
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
          + (execution.error() == null ? "." : ": " + withoutRepeat(execution.error(), stepErrors)));
    }
    out.flush();
  }

  /**
   * The execution's error without a step's error printed just above ("Stage dev, step apply: X"
   * becomes "Stage dev, step apply failed (error above)"): a failure is reported once here.
   */
  static String withoutRepeat(String executionError, java.util.List<String> stepErrors) {
    for (String stepError : stepErrors) {
      if (stepError != null && !stepError.isBlank() && executionError.endsWith(stepError)
          && executionError.length() > stepError.length()) {
        String where = executionError.substring(0, executionError.length() - stepError.length()).strip();
        where = where.endsWith(":") ? where.substring(0, where.length() - 1) : where;
        return where + " failed (error above).";
      }
    }
    return executionError;
  }

  private static String stepError(StepView step) {
    StepOutput output = step.output();
    return step.error() != null ? step.error() : output != null ? output.error() : null;
  }

  static String describe(StepView step) {
    StepOutput output = step.output();
    if (!"SUCCEEDED".equals(step.status())) {
      String error = stepError(step);
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
