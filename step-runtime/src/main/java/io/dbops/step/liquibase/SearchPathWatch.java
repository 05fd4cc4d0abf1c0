package io.dbops.step.liquibase;

import java.util.regex.Pattern;
import liquibase.change.Change;
import liquibase.change.custom.CustomChangeWrapper;
import liquibase.changelog.ChangeSet;
import liquibase.listener.SqlListener;

/**
 * Whether the step's PostgreSQL session may have had its search_path changed since Liquibase last
 * checked it (see {@link StepPostgresDatabase}). It watches every statement and query Liquibase
 * sends and counts as "may have changed" anything that mentions the search path or resets session
 * settings, and every changeset with a custom (Java) change, which can use the connection without
 * Liquibase seeing its SQL. Used by one step on one thread.
 */
final class SearchPathWatch extends SqlListener {
  private static final Pattern SESSION_SETTING =
      Pattern.compile("search_path|set_config|reset\\s+all|discard\\s", Pattern.CASE_INSENSITIVE);

  private boolean mayHaveChanged = true; // unknown until Liquibase's first check

  @Override
  public void readSqlWillRun(String sql) {
    see(sql);
  }

  @Override
  public void writeSqlWillRun(String sql) {
    see(sql);
  }

  private void see(String sql) {
    if (sql == null || (!mayHaveChanged && SESSION_SETTING.matcher(sql).find())) {
      mayHaveChanged = true;
    }
  }

  /** A changeset ran or rolled back: its custom changes may have used the connection unseen. */
  void changeSetDone(ChangeSet changeSet) {
    for (Change change : changeSet.getChanges()) {
      if (change instanceof CustomChangeWrapper) {
        mayHaveChanged = true;
      }
    }
    if (changeSet.getRollback() != null) {
      for (Change change : changeSet.getRollback().getChanges()) {
        if (change instanceof CustomChangeWrapper) {
          mayHaveChanged = true;
        }
      }
    }
  }

  boolean mayHaveChanged() {
    return mayHaveChanged;
  }

  /** Liquibase has just checked (and if needed restored) the search path. */
  void checked() {
    mayHaveChanged = false;
  }
}
