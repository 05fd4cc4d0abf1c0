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

  /**
   * Changeset {@code started} of {@code total} of this step is starting (both from 1; {@code
   * total} 0 when unknown), sent before its log lines. {@code changeset} is file::id::author.
   * Ignored by default: a log that only wants lines need not implement it.
   */
  default void progress(int started, int total, String changeset) {}
}
