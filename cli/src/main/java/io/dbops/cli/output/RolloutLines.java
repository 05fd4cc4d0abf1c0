package io.dbops.cli.output;

import io.dbops.api.RolloutView;
import java.io.PrintStream;
import java.util.List;

/**
 * The rollout lines of {@code dbops execution show}: the group, the counts per status, the targets
 * that wait for their own approval, and every failed, rolled-back or skipped target with its error
 * and execution. Stateless.
 */
final class RolloutLines {
  private RolloutLines() {}

  static void print(PrintStream out, RolloutView r, String executionId) {
    RolloutView.Counts c = r.counts();
    out.println("    group:     " + r.group() + " (" + r.targets().size() + " target(s))");
    out.println("    rollout:   " + c.succeeded() + " succeeded, " + c.failed() + " failed, " + c.rolledBack()
        + " rolled back, " + c.skipped() + " skipped, " + c.running() + " running, " + c.queued() + " queued"
        + (r.waitingApproval() == 0 ? "" : "; " + r.waitingApproval() + " waiting for approval"));
    for (RolloutView.TargetView t : r.targets()) {
      if ("WAITING_APPROVAL".equals(t.status())) {
        out.println("      waiting:   " + t.target() + " (execution " + t.executionId() + ")"
            + (t.ownApproval() ? " needs its own decision: its SQL differs" : "") + "; dbops approve "
            + t.executionId());
      }
    }
    List<RolloutView.TargetView> failed = r.targets().stream()
        .filter(t -> List.of("FAILED", "ROLLED_BACK").contains(t.status())).toList();
    for (RolloutView.TargetView t : failed) {
      out.println("      " + (t.status().equals("FAILED") ? "failed:    " : "rolled back: ") + t.target()
          + (t.host() == null ? "" : " on " + t.host()) + (t.executionId() == null ? "" : " (execution "
              + t.executionId() + ")") + (t.error() == null ? "" : ": " + t.error()));
    }
    long skipped = r.targets().stream().filter(t -> "SKIPPED".equals(t.status())).count();
    if (skipped > 0) {
      out.println("      skipped:   " + String.join(", ", r.targets().stream()
          .filter(t -> "SKIPPED".equals(t.status())).map(RolloutView.TargetView::target).toList()));
    }
    if (!failed.isEmpty() || skipped > 0) {
      out.println("    retry:     dbops retry " + executionId + " --failed   (add the skipped: without --failed)");
    }
  }
}
