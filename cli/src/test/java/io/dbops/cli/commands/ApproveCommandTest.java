package io.dbops.cli.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.api.ApprovalView;
import io.dbops.pipeline.ApprovalRule;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@code dbops executions --waiting} prints. */
class ApproveCommandTest {
  private static String print(List<ApprovalView> waiting) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ApproveCommand.printWaiting(new PrintStream(bytes, true, StandardCharsets.UTF_8), waiting);
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void listsEachWaitingApprovalWithItsCountAndSaysHowToDecide() {
    ApprovalView v = new ApprovalView("ex-abc", "orders", "prod", "approve", "prod", "WAITING",
        Instant.parse("2026-12-07T08:00:00Z"), Instant.parse("2026-12-07T09:00:00Z"),
        new ApprovalRule(2, List.of("approver"), List.of(), false, 3600), "alice", "ab".repeat(32), "CREATE TABLE t;",
        null, List.of(), List.of(new ApprovalView.DecisionView("bob", "approve", "ok", Instant.EPOCH, null)),
        true, null);
    String out = print(List.of(v));
    assertThat(out).contains("EXECUTION").contains("ex-abc").contains("orders").contains("prod").contains("approve")
        .contains("1/2").contains("alice").contains("dbops approve EXECUTION [--reject] [--comment TEXT]");
  }

  @Test
  void saysWhenNothingWaits() {
    assertThat(print(List.of())).isEqualTo("Nothing waits for your approval." + System.lineSeparator());
  }
}
