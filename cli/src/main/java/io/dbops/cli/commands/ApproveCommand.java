package io.dbops.cli.commands;

import io.dbops.api.ApprovalView;
import io.dbops.cli.client.ControlPlaneClient;
import java.io.PrintStream;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dbops approve EXECUTION [--reject] [--comment TEXT]}: decides the approval an execution
 * waits for (docs/environments.md "Approvals"). Refusals (role, starter, already decided) come from
 * the server with the rule that refused.
 */
@Command(name = "approve", mixinStandardHelpOptions = true,
    description = "Approve (or with --reject, reject) what an execution waits for. "
        + "`dbops executions --waiting` lists what waits for you.")
public final class ApproveCommand implements Callable<Integer> {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());
  private static final String ROW = "%-16s %-20s %-12s %-20s %-10s %-20s %s%n";

  @Mixin ServerOption server;

  @Parameters(paramLabel = "EXECUTION", description = "The execution's id.")
  String execution;

  @Option(names = "--reject", description = "Reject: the execution fails with your comment as the reason.")
  boolean reject;

  @Option(names = "--comment", paramLabel = "TEXT", description = "Why; recorded in the audit log.")
  String comment;

  private final PrintStream out;

  public ApproveCommand() {
    this(System.out);
  }

  ApproveCommand(PrintStream out) {
    this.out = out;
  }

  @Override
  public Integer call() {
    try (ControlPlaneClient client = new ControlPlaneClient(server.target())) {
      ApprovalView v = client.decide(execution, !reject, comment);
      long approvals = v.decisions().stream().filter(d -> "approve".equals(d.decision())).count();
      out.println((reject ? "Rejected" : "Approved") + " step " + v.step() + " of stage " + v.stage()
          + " of execution " + v.executionId() + (v.sqlHash() == null ? "" : " (sqlHash " + v.sqlHash() + ")"));
      out.println(switch (v.status()) {
        case "APPROVED" -> "Approved (" + approvals + " of " + v.rule().required() + "): the stage continues."
            + " Follow it with: dbops logs -f " + v.executionId();
        case "WAITING" -> approvals + " of " + v.rule().required() + " approval(s); it still waits for "
            + (v.rule().required() - approvals) + " more by other identities.";
        default -> "The execution fails: " + v.status() + ".";
      });
      return 0;
    }
  }

  /** The table of {@code dbops executions --waiting}. */
  static void printWaiting(PrintStream out, List<ApprovalView> waiting) {
    if (waiting.isEmpty()) {
      out.println("Nothing waits for your approval.");
      return;
    }
    out.printf(ROW, "EXECUTION", "PIPELINE", "STAGE", "STEP", "APPROVALS", "DEADLINE", "STARTED BY");
    for (ApprovalView v : waiting) {
      long approvals = v.decisions().stream().filter(d -> "approve".equals(d.decision())).count();
      out.printf(ROW, v.executionId(), v.pipelineName(), v.stage(), v.step(),
          approvals + "/" + v.rule().required(), TIME.format(v.deadline()), v.startedBy() == null ? "" : v.startedBy());
    }
    out.println("Read the SQL with: dbops logs EXECUTION; decide with: dbops approve EXECUTION [--reject] [--comment TEXT]");
    out.flush();
  }
}
