package io.dbops.cli.output;

import io.dbops.api.LogPage;
import io.dbops.logship.Progress;
import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;

/**
 * Prints an execution's log lines and progress: {@code HH:mm:ss [stage/step] LEVEL text}, coloured
 * by level when asked (errors red, warnings yellow, debug dim, progress cyan). Progress is printed
 * once per change. Used by one thread.
 */
public final class LogPrinter {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());
  private static final String RESET = "\u001b[0m";

  private final PrintStream out;
  private final String executionId;
  private final boolean colour;
  private final Map<String, Progress> shown = new HashMap<>();

  public LogPrinter(PrintStream out, String executionId, boolean colour) {
    this.out = out;
    this.executionId = executionId;
    this.colour = colour;
  }

  /**
   * Whether to colour output: only on a terminal, never when {@code NO_COLOR} is set to anything
   * (https://no-color.org) or the terminal is dumb.
   */
  public static boolean colourFor(PrintStream out, Map<String, String> env, boolean terminal) {
    String noColor = env.get("NO_COLOR");
    return terminal && out == System.out && (noColor == null || noColor.isEmpty()) && !"dumb".equals(env.get("TERM"));
  }

  /** Colour for this process's stdout. */
  public static boolean colourForStdout() {
    return colourFor(System.out, System.getenv(), System.console() != null);
  }

  public void line(LogPage.Line line) {
    String text = format(executionId, line);
    out.println(colour ? paint(line.level(), text) : text);
  }

  /** Prints progress of a stream when it changed since last printed. */
  public void progress(String stream, Progress progress, long timestampMillis) {
    if (progress == null || progress.equals(shown.put(stream, progress))) {
      return;
    }
    String text = TIME.format(Instant.ofEpochMilli(timestampMillis)) + " [" + source(executionId, stream) + "] "
        + progress.describe() + (progress.item().isEmpty() ? "" : ": " + progress.item());
    out.println(colour ? "\u001b[36m" + text + RESET : text);
  }

  public void flush() {
    out.flush();
  }

  /** ANSI colour by level: errors red, warnings yellow, debug dim; info as is. */
  public static String paint(String level, String text) {
    return switch (level == null ? "" : level) {
      case "ERROR" -> "\u001b[31m" + text + RESET;
      case "WARN" -> "\u001b[33m" + text + RESET;
      case "DEBUG" -> "\u001b[2m" + text + RESET;
      default -> text;
    };
  }

  /** The line as printed: time, [stage/step] (or [dbops] for the control plane's own lines), text. */
  public static String format(String executionId, LogPage.Line line) {
    String level = "INFO".equals(line.level()) ? "" : line.level() + " ";
    return TIME.format(Instant.ofEpochMilli(line.ts())) + " [" + source(executionId, line.stream()) + "] " + level
        + line.text();
  }

  private static String source(String executionId, String stream) {
    String source = stream;
    String prefix = "executions/" + executionId + "/";
    if (source.startsWith(prefix)) {
      source = source.substring(prefix.length());
    }
    return source.equals("control") ? "dbops" : source;
  }
}
