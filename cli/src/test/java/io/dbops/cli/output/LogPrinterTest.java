package io.dbops.cli.output;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.api.LogPage;
import io.dbops.logship.Progress;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LogPrinterTest {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  @Test
  void coloursOnlyATerminalWithoutNoColor() {
    assertThat(LogPrinter.colourFor(System.out, Map.of(), true)).isTrue();
    assertThat(LogPrinter.colourFor(System.out, Map.of("NO_COLOR", "1"), true)).isFalse();
    assertThat(LogPrinter.colourFor(System.out, Map.of("NO_COLOR", ""), true)).as("empty means unset").isTrue();
    assertThat(LogPrinter.colourFor(System.out, Map.of("TERM", "dumb"), true)).isFalse();
    assertThat(LogPrinter.colourFor(System.out, Map.of(), false)).as("piped or redirected").isFalse();
    assertThat(LogPrinter.colourFor(out, Map.of(), true)).as("not stdout").isFalse();
  }

  @Test
  void paintsLinesByLevel() {
    new LogPrinter(out, "ex-1", true).line(new LogPage.Line(1, "executions/ex-1/dev/apply", 1, 0, "ERROR", "boom"));
    new LogPrinter(out, "ex-1", true).line(new LogPage.Line(2, "executions/ex-1/dev/apply", 2, 0, "INFO", "fine"));
    String[] printed = bytes.toString(StandardCharsets.UTF_8).split("\n");
    assertThat(printed[0]).startsWith("\u001b[31m").endsWith("[dev/apply] ERROR boom\u001b[0m");
    assertThat(printed[1]).doesNotContain("\u001b[").endsWith("[dev/apply] fine");
  }

  @Test
  void printsProgressOncePerChange() {
    LogPrinter printer = new LogPrinter(out, "ex-1", false);
    printer.progress("executions/ex-1/dev/apply", new Progress(1, 3, "a.xml::1::me"), 0);
    printer.progress("executions/ex-1/dev/apply", new Progress(1, 3, "a.xml::1::me"), 0);
    printer.progress("executions/ex-1/dev/apply", new Progress(2, 0, ""), 0);
    String[] printed = bytes.toString(StandardCharsets.UTF_8).split("\n");
    assertThat(printed).hasSize(2);
    assertThat(printed[0]).endsWith("[dev/apply] changeset 1 of 3: a.xml::1::me");
    assertThat(printed[1]).endsWith("[dev/apply] changeset 2");
  }
}
