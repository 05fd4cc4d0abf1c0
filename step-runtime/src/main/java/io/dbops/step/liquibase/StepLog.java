package io.dbops.step.liquibase;

/**
 * Where a running step sends its output lines. Implementations must accept calls from the step's
 * thread while the step runs; they must not block for long.
 */
public interface StepLog {
  /** Severity of a line; mirrors the proto's LogLevel. */
  enum Level { DEBUG, INFO, WARN, ERROR }

  /** One line of output, without a trailing newline. */
  void line(Level level, String text);
}
