package io.dbops.cli.output;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.api.ExecutionView;
import io.dbops.api.ExecutionView.StageView;
import io.dbops.api.ExecutionView.StepView;
import io.dbops.protocol.StepOutput;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SummaryPrinterTest {
  @Test
  void summarisesAnApplyWithItsCountAndPreStartTag() {
    String text = print(execution("SUCCEEDED", null, step("SUCCEEDED", null,
        Map.of("changesetsApplied", "3", "preStartTag", "dbops-pre-ex-1-20261124"))), Duration.ofMillis(7400));

    assertThat(text)
        .contains("apply (apply): 3 changesets applied; rollback tag recorded before applying: dbops-pre-ex-1-20261124")
        .contains("Execution ex-1 SUCCEEDED in 7.4 s.");
  }

  @Test
  void saysUpToDateWhenNothingWasApplied() {
    String text = print(execution("SUCCEEDED", null, step("SUCCEEDED", null,
        Map.of("changesetsApplied", "0", "preStartTag", ""))), Duration.ofSeconds(2));

    assertThat(text).contains("apply (apply): database is up to date, nothing to apply");
  }

  @Test
  void showsTheStepErrorOfAFailedExecution() {
    String error = "Changeset c.sql::3-broken::e2e failed: ERROR: syntax error at or near \",\"";
    String text = print(execution("FAILED", "Stage dev, step apply: " + error, step("FAILED", error, Map.of())),
        Duration.ofSeconds(3));

    assertThat(text)
        .contains("apply (apply): FAILED: " + error)
        .contains("Execution ex-1 FAILED after 3.0 s: Stage dev, step apply failed (error above).");
    // Reported once in the summary, not twice.
    assertThat(text.split(java.util.regex.Pattern.quote("syntax error"), -1)).hasSize(2);
  }

  private static StepView step(String status, String error, Map<String, String> outputs) {
    return new StepView("apply", "apply", status, error,
        new StepOutput(status, error, outputs, List.of(), 10, 5, 0));
  }

  private static ExecutionView execution(String status, String error, StepView step) {
    return new ExecutionView("ex-1", "quickstart", status, error, Instant.EPOCH, Instant.EPOCH, Instant.EPOCH,
        List.of(new StageView("dev", status, error, List.of(step))));
  }

  private static String print(ExecutionView execution, Duration elapsed) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    new SummaryPrinter(new PrintStream(bytes, true, StandardCharsets.UTF_8)).print(execution, elapsed);
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
