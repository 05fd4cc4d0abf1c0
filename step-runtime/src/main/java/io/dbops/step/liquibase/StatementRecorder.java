package io.dbops.step.liquibase;

import java.util.ArrayList;
import java.util.List;
import liquibase.listener.SqlListener;

/**
 * Remembers the SQL Liquibase sends to the database since the current changeset started, so a
 * changeset that fails midway can be reported precisely (which statements ran before the failing
 * one). Used by one step on one thread.
 */
final class StatementRecorder extends SqlListener {
  private final List<String> statements = new ArrayList<>();
  private boolean recording;

  void start() {
    statements.clear();
    recording = true;
  }

  void stop() {
    recording = false;
  }

  /** How many statements were started since {@link #start()}. */
  int count() {
    return statements.size();
  }

  /** The statements started since {@link #start()}, in order; the last may be the one that failed. */
  List<String> statements() {
    return List.copyOf(statements);
  }

  @Override
  public void writeSqlWillRun(String sql) {
    if (recording && sql != null && !sql.isBlank()) {
      statements.add(sql.strip());
    }
  }
}
