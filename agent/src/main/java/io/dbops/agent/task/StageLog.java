package io.dbops.agent.task;

import io.dbops.logship.LogShipper;

/**
 * Lines the delegate writes to a stage's delegate stream while it runs the stage's tasks (see
 * {@link StageLogs}). Never blocks for long: a full queue (the service down and no spool) waits
 * for room like any shipper; a line that cannot be queued is dropped. Thread-safe.
 */
final class StageLog {
  static final StageLog NONE = new StageLog(null);

  private final LogShipper shipper;

  StageLog(LogShipper shipper) {
    this.shipper = shipper;
  }

  void info(String text) {
    line("INFO", text);
  }

  void warn(String text) {
    line("WARN", text);
  }

  void error(String text) {
    line("ERROR", text);
  }

  private void line(String level, String text) {
    if (shipper == null || text == null) {
      return;
    }
    try {
      for (String line : text.split("\\R")) {
        shipper.append(level, line, System.currentTimeMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IllegalStateException e) {
      // The stream was finished or the shipper stopped (cleanup ran, or the delegate is closing).
    }
  }
}
