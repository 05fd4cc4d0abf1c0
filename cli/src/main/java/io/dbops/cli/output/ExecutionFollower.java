package io.dbops.cli.output;

import io.dbops.api.ExecutionView;
import io.dbops.api.LogPage;
import io.dbops.cli.client.ControlPlaneClient;
import io.dbops.logship.Progress;
import java.io.PrintStream;

/**
 * Prints an execution's log lines and progress ("changeset n of m") as they arrive, over the log
 * service's Server-Sent Events tail (or long polls from a control plane without one), until the
 * execution finishes and every line has been printed; then returns the final execution.
 */
public final class ExecutionFollower {
  private final ControlPlaneClient client;
  private final PrintStream out;
  private final boolean colour;

  /** Colours lines by level when {@code out} is the process's terminal and NO_COLOR is not set. */
  public ExecutionFollower(ControlPlaneClient client, PrintStream out) {
    this(client, out, out == System.out && LogPrinter.colourForStdout());
  }

  public ExecutionFollower(ControlPlaneClient client, PrintStream out, boolean colour) {
    this.client = client;
    this.out = out;
    this.colour = colour;
  }

  /** ANSI colour by level: errors red, warnings yellow, debug dim; info as is. */
  public static String paint(String level, String text) {
    return LogPrinter.paint(level, text);
  }

  /** The line as printed: time, [stage/step] (or [dbops] for the control plane's own lines), text. */
  public static String format(String executionId, LogPage.Line line) {
    return LogPrinter.format(executionId, line);
  }

  public ExecutionView follow(String executionId) {
    LogPrinter printer = new LogPrinter(out, executionId, colour);
    try (LogClient logs = new LogClient(client.target())) {
      logs.follow(executionId, 0, new LogClient.Listener() {
        @Override
        public void line(LogPage.Line line) {
          printer.line(line);
          printer.flush();
        }

        @Override
        public void progress(String stream, Progress progress) {
          printer.progress(stream, progress, System.currentTimeMillis());
          printer.flush();
        }
      });
    } catch (LogClient.NoTailException e) {
      longPoll(executionId, printer);
    }
    return client.execution(executionId);
  }

  private void longPoll(String executionId, LogPrinter printer) {
    long cursor = 0;
    while (true) {
      LogPage page = client.logs(executionId, cursor);
      page.lines().forEach(printer::line);
      printer.flush();
      cursor = page.next();
      if (page.lines().isEmpty() && isFinal(page.executionStatus())) {
        return;
      }
    }
  }

  private static boolean isFinal(String status) {
    return "SUCCEEDED".equals(status) || "FAILED".equals(status);
  }
}
