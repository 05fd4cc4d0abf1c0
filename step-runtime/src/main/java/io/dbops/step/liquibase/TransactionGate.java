package io.dbops.step.liquibase;

import java.sql.Connection;
import liquibase.Scope;
import liquibase.changelog.ChangeSet;
import liquibase.database.jvm.JdbcConnection;
import liquibase.exception.DatabaseException;

/**
 * The step's Liquibase connection. While a changeset with {@code runInTransaction=true} runs on a
 * database with transactional DDL (PostgreSQL, H2), commits are held back until its
 * DATABASECHANGELOG row has been written ({@link AtomicHistoryService}), so the changeset's
 * statements and its history row commit together: a crash in between leaves neither.
 *
 * <p>Liquibase 4.33 commits in {@code ChangeSet.execute} (after the statements) and again in
 * {@code StandardChangeLogHistoryService.setExecType} (after the history insert); this class turns
 * the first into a no-op. A rollback ends the window and really rolls back. Changesets with
 * {@code runInTransaction=false} run in auto-commit mode as in plain Liquibase. One per step; used
 * on the step's thread only.
 */
final class TransactionGate extends JdbcConnection {
  /** Scope key under which the step's gate is published to {@link AtomicHistoryService}. */
  static final String SCOPE_KEY = "dbops.transactionGate";

  private boolean transactionalDdl;
  private boolean deferring;
  private boolean pendingCommit;
  private int deferredCommits;

  TransactionGate(Connection connection) {
    super(connection);
  }

  /**
   * Whether commits inside a runInTransaction changeset are held back: Liquibase's
   * supportsDDLInTransaction (true for PostgreSQL, H2 and, as far as Liquibase is concerned,
   * MySQL/MariaDB, where it still makes a DML-only changeset atomic with its history row).
   */
  void setDeferring(boolean enabled) {
    this.transactionalDdl = enabled;
  }

  /** The gate of the current step's scope, or null outside a dbops step. */
  static TransactionGate current() {
    return Scope.getCurrentScope().get(SCOPE_KEY, TransactionGate.class);
  }

  /** A changeset is about to run or roll back: hold its commits back if it runs in a transaction. */
  void changeSetStarting(ChangeSet changeSet) throws DatabaseException {
    flush();
    deferring = transactionalDdl && changeSet.isRunInTransaction();
  }

  /** The history row is about to be written: the next commit is real and covers both. */
  void historyWriting() {
    deferring = false;
    pendingCommit = false;
  }

  /** Commits a commit that was held back, if any (for example after a skipped changeset). */
  void flush() throws DatabaseException {
    deferring = false;
    if (pendingCommit) {
      pendingCommit = false;
      super.commit();
    }
  }

  /** Forgets held-back work without committing it (the caller rolls back). */
  void discard() {
    deferring = false;
    pendingCommit = false;
  }

  /** How many commits were held back so far; for tests and diagnostics. */
  int deferredCommits() {
    return deferredCommits;
  }

  @Override
  public void commit() throws DatabaseException {
    if (deferring) {
      pendingCommit = true;
      deferredCommits++;
      return;
    }
    super.commit();
  }

  /**
   * Really rolls back, including held-back work. Deferral goes on: Liquibase rolls back after
   * evaluating a changeset's preconditions, before its statements run; a failing changeset ends it
   * through {@link #discard()}.
   */
  @Override
  public void rollback() throws DatabaseException {
    pendingCommit = false;
    super.rollback();
  }
}
