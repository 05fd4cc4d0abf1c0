package io.dbops.cli.output;

import io.dbops.api.ExecutionView.Recovery;
import io.dbops.api.ExecutionView.RollbackView;
import io.dbops.protocol.StepOutput;
import java.util.ArrayList;
import java.util.List;

/** The summary lines of what a stage's failure strategy did: the rollback, the pause, the decision. */
final class RecoveryLines {
  private RecoveryLines() {}

  static List<String> of(String executionId, Recovery r) {
    List<String> lines = new ArrayList<>();
    String decided = r.decision() == null ? "" : " (" + decision(r) + ")";
    lines.add("on failure of " + r.failedStep() + " (" + r.strategy() + "): " + r.status() + decided);
    if ("PAUSED".equals(r.status())) {
      lines.add("  waiting for `dbops resume " + executionId + " --retry|--rollback|--abort`"
          + (r.pauseDeadline() == null ? "" : " until " + r.pauseDeadline() + ", then aborted"));
    }
    for (RollbackView rb : r.rollbacks()) {
      StepOutput out = rb.output();
      String n = out == null ? "0" : out.outputs().getOrDefault("rolledBack", "0");
      if ("SUCCEEDED".equals(rb.status())) {
        lines.add("  rolled back " + rb.applyStep() + " to its pre-start tag " + rb.tag() + ": " + n
            + " changeset(s) undone" + (out != null && out.outputs().containsKey("removedTag") ? ", tag removed" : ""));
      } else {
        lines.add("  rollback of " + rb.applyStep() + " to " + rb.tag() + " " + rb.status()
            + (rb.error() == null ? "" : ": " + rb.error()));
      }
      if (out != null) {
        for (StepOutput.ChangeSet cs : out.changesets()) {
          if ("ROLLED_BACK".equals(cs.state())) {
            lines.add("    undone: " + cs.file() + "::" + cs.id() + "::" + cs.author());
          }
        }
      }
    }
    if (r.notUndone() != null) {
      lines.add("  NOT undone: " + r.notUndone());
    }
    return lines;
  }

  private static String decision(Recovery r) {
    return "timeout".equals(r.decision()) ? "pause timed out" : r.decision() + " by " + r.decidedBy();
  }
}
