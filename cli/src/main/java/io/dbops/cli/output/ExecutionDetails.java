package io.dbops.cli.output;

import io.dbops.api.ExecutionView;
import io.dbops.api.ExecutionView.Event;
import io.dbops.api.ExecutionView.Origin;
import io.dbops.api.ExecutionView.StageView;
import io.dbops.api.ExecutionView.StepView;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * {@code dbops execution show}: everything an execution records, for a person: who started it,
 * from where, the pipeline and its inputs, then per stage its target, delegate, duration and error,
 * per step its status, duration and what it did, and the execution's events (a stage no delegate
 * could take, approvals, rollbacks).
 */
public final class ExecutionDetails {
  private final PrintStream out;

  public ExecutionDetails(PrintStream out) {
    this.out = out;
  }

  public void print(ExecutionView e, Instant now) {
    out.println("Execution " + e.id() + ": " + e.status()
        + (e.error() == null ? "" : " (" + e.error() + ")"));
    Origin o = e.origin();
    out.println("  pipeline:    " + e.pipelineName()
        + (o != null && o.pipelineVersion() != null ? " version " + o.pipelineVersion() : " (ad hoc)"));
    if (o != null) {
      out.println("  started by:  " + o.startedBy() + " with token " + o.tokenName() + " from "
          + o.source());
      if (o.parentId() != null) {
        out.println("  rollout:     one target of stage " + o.parentStage() + " of execution " + o.parentId());
      }
      if (!o.inputs().isEmpty()) {
        out.println("  inputs:      " + inputs(o.inputs()));
      }
    } else {
      out.println("  started by:  (not recorded)");
    }
    out.println("  created:     " + e.createdAt() + duration(" ran ", e.startedAt(), e.finishedAt(), now));
    for (StageView s : e.stages()) {
      out.println("  stage " + s.name() + ": " + s.status()
          + duration(" in ", s.startedAt(), s.finishedAt(), now));
      out.println("    target:    " + (s.target() == null ? "(none)" : s.target()));
      out.println("    delegate:  " + (s.delegateName() == null && s.delegateInstance() == null
          ? "(none yet)" : s.delegateName() + " (instance " + s.delegateInstance() + ")"));
      if (s.waiting() != null) {
        out.println("    waiting:   " + s.waiting());
      }
      if (s.error() != null) {
        out.println("    error:     " + s.error());
      }
      if (s.rollout() != null) {
        RolloutLines.print(out, s.rollout(), e.id());
      }
      for (StepView st : s.steps()) {
        out.println("    step " + st.name() + " (" + st.type() + "): "
            + SummaryPrinter.describe(st) + duration(" in ", st.startedAt(), st.finishedAt(), now));
      }
    }
    if (!e.events().isEmpty()) {
      out.println("  events:");
      for (Event ev : e.events()) {
        out.println("    " + ev.at() + " " + ev.type() + (ev.stage() == null ? "" : " [" + ev.stage() + "]")
            + " by " + ev.actor() + ": " + ev.message());
      }
    }
    out.flush();
  }

  private static String inputs(Map<String, String> inputs) {
    StringBuilder b = new StringBuilder();
    inputs.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(en -> {
      if (b.length() > 0) {
        b.append(", ");
      }
      b.append(en.getKey()).append('=').append(en.getValue());
    });
    return b.toString();
  }

  /** " in 1.2 s", " in 3.0 s (running)", or empty when it never started. */
  static String duration(String prefix, Instant started, Instant finished, Instant now) {
    if (started == null) {
      return "";
    }
    Instant end = finished != null ? finished : now;
    String text = String.format(Locale.ROOT, "%.1f s", Duration.between(started, end).toMillis() / 1000.0);
    return prefix + text + (finished == null ? " (running)" : "");
  }
}
