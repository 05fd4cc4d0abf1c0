package io.dbops.cli.output;

import io.dbops.api.ExecutionView;
import io.dbops.api.LogPage;
import io.dbops.cli.client.ControlPlaneClient;
import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * Prints an execution's log lines as they arrive (long polling the log service) until the
 * execution finishes and every line has been printed, then returns the final execution.
 */
public final class ExecutionFollower {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

  private final ControlPlaneClient client;
  private final PrintStream out;
  private final boolean colour;

  /** Colours lines by level when {@code out} is the process's terminal. */
  public ExecutionFollower(ControlPlaneClient client, PrintStream out) {
    this.client = client;
    this.out = out;
    this.colour = out == System.out && System.console() != null && System.getenv("NO_COLOR") == null;
  }

  /** ANSI colour by level: errors red, warnings yellow, debug dim; info as is. */
  public static String paint(String level, String text) {
    return switch (level == null ? "" : level) {
      case "ERROR" -> "\u001b[31m" + text + "\u001b[0m";
      case "WARN" -> "\u001b[33m" + text + "\u001b[0m";
      case "DEBUG" -> "\u001b[2m" + text + "\u001b[0m";
      default -> text;
    };
  }

  public ExecutionView follow(String executionId) {
    long cursor = 0;
    while (true) {
      LogPage page = client.logs(executionId, cursor);
      for (LogPage.Line line : page.lines()) {
        out.println(colour ? paint(line.level(), format(executionId, line)) : format(executionId, line));
      }
      out.flush();
      cursor = page.next();
      if (page.lines().isEmpty() && isFinal(page.executionStatus())) {
        return client.execution(executionId);
      }
    }
  }

  /** The line as printed: time, [stage/step] (or [dbops] for the control plane's own lines), text. */
  public static String format(String executionId, LogPage.Line line) {
    String source = line.stream();
    String prefix = "executions/" + executionId + "/";
    if (source.startsWith(prefix)) {
      source = source.substring(prefix.length());
    }
    if (source.equals("control")) {
      source = "dbops";
    }
    String level = "INFO".equals(line.level()) ? "" : line.level() + " ";
    return TIME.format(Instant.ofEpochMilli(line.ts())) + " [" + source + "] " + level + line.text();
  }

  private static boolean isFinal(String status) {
    return "SUCCEEDED".equals(status) || "FAILED".equals(status);
  }
}
