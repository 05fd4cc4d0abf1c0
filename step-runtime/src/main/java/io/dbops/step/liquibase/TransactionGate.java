package io.dbops.step.liquibase;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import liquibase.Scope;
import liquibase.changelog.ChangeSet;
import liquibase.database.jvm.JdbcConnection;
import liquibase.exception.DatabaseException;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;

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
  private boolean asynchronousCommits;
  private String durabilityWrite;

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

  /**
   * Whether changeset transactions committed through {@link #commitWithHistory} may commit
   * asynchronously ({@code synchronous_commit = off} for that transaction only); the step then
   * makes them durable once, in {@link #confirmDurable()}. PostgreSQL only.
   */
  void setAsynchronousCommits(boolean enabled) {
    this.asynchronousCommits = enabled;
  }

  /** Whether a runInTransaction changeset's commit is being held back for its history row. */
  boolean holdsChangeSetTransaction() {
    return deferring;
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

  /**
   * Writes a changeset's history row and commits its transaction in one round trip to PostgreSQL:
   * the history statements and {@code COMMIT} go as one multi-statement string, after {@code SET
   * LOCAL synchronous_commit TO OFF} when commits may be asynchronous. An asynchronous commit is
   * atomic like any other (PostgreSQL's log is replayed in order, so a server crash loses a suffix
   * of whole changesets, never a changeset without its row); it is made durable by the next
   * synchronous commit, and {@link #confirmDurable()} forces one.
   *
   * @param durabilityWrite a harmless write (an UPDATE of this history row to the same values) whose
   *     synchronous commit makes this and every earlier commit durable
   */
  void commitWithHistory(String[] historySql, String durabilityWrite) throws DatabaseException {
    StringBuilder sql = new StringBuilder(256);
    if (asynchronousCommits) {
      sql.append("SET LOCAL synchronous_commit TO OFF;");
    }
    for (String statement : historySql) {
      // No whitespace after the semicolons: the driver splits there, and each statement then shows
      // in pg_stat_activity and the server log exactly as Liquibase would have sent it.
      sql.append(statement.strip()).append(';');
    }
    sql.append("COMMIT");
    deferring = false;
    pendingCommit = false;
    execute(sql.toString());
    if (asynchronousCommits) {
      this.durabilityWrite = durabilityWrite;
    }
  }

  /**
   * Makes every changeset committed asynchronously so far durable (to the session's own {@code
   * synchronous_commit} level, replicas included), by committing a harmless write synchronously.
   * Does nothing when there is nothing to confirm.
   */
  void confirmDurable() throws DatabaseException {
    if (durabilityWrite == null) {
      return;
    }
    String sql = durabilityWrite;
    durabilityWrite = null;
    flush();
    Connection connection = getUnderlyingConnection();
    try {
      if (connection.isWrapperFor(BaseConnection.class)
          && connection.unwrap(BaseConnection.class).getTransactionState() == TransactionState.FAILED) {
        // A changeset failed mid-transaction (its history row, say) and left it aborted: nothing
        // in it is kept, and PostgreSQL refuses any statement until it ends.
        connection.rollback();
      }
    } catch (SQLException e) {
      throw new DatabaseException(e.getMessage(), e);
    }
    try (Statement statement = connection.createStatement()) {
      statement.setEscapeProcessing(false);
      if (statement.executeUpdate(sql) == 0) {
        // Nothing written, so nothing flushed: the row was removed since (by a changeset?).
        throw new DatabaseException("the history row of the last changeset committed is gone");
      }
    } catch (SQLException e) {
      throw new DatabaseException(e.getMessage(), e);
    }
    super.commit();
  }

  /**
   * A history write just committed the synchronous way (Liquibase's own path: its commit waits for
   * the log flush, which covers every earlier commit), unless its changeset's commit is still held
   * back: nothing committed asynchronously before it needs confirming any more.
   */
  void wroteSynchronously() {
    if (!pendingCommit) {
      durabilityWrite = null;
    }
  }

  /** Whether commits made since the last confirmation may not be durable yet. */
  boolean awaitsDurability() {
    return durabilityWrite != null;
  }

  private void execute(String sql) throws DatabaseException {
    try (Statement statement = getUnderlyingConnection().createStatement()) {
      statement.setEscapeProcessing(false);
      statement.execute(sql);
    } catch (SQLException e) {
      throw new DatabaseException(e.getMessage(), e);
    }
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
