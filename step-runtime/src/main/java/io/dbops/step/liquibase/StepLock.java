package io.dbops.step.liquibase;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import liquibase.Scope;
import liquibase.database.Database;
import liquibase.exception.LockException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The change lock of one step, held by the step's own database session (the connection Liquibase
 * runs the changesets on), so it lives exactly as long as the work it protects and the database
 * drops it when that session dies. Re-entrant: the step takes it once for its whole run and
 * Liquibase's own waitForLock/releaseLock calls inside only count.
 *
 * <p>Waiting is bounded by {@code DBOPS_STEP_LOCK_TIMEOUT_SECONDS}. After taking the session lock
 * it also looks at Liquibase's DATABASECHANGELOGLOCK row: a row locked by plain Liquibase is
 * waited for within the same bound and then reported with who locked it and how to release it.
 * One per step; used on the step's thread only.
 */
final class StepLock {
  private static final Logger logger = LoggerFactory.getLogger(StepLock.class);
  static final String SCOPE_KEY = "dbops.stepLock";
  private static final long POLL_MILLIS = 200;
  private static final long REPORT_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

  /** How a database provides a session-scoped lock. */
  interface Dialect {
    /**
     * Tries once, waiting at most {@code waitSeconds} on the server (0 = do not wait).
     *
     * @return true when this session now holds the lock
     */
    boolean tryLock(Connection work, int waitSeconds) throws SQLException;

    /** Releases the lock this session holds. */
    void unlock(Connection work) throws SQLException;

    /** Who holds the lock now, for messages; empty when unknown. */
    String holder(Connection work);

    /** True when tryLock waits on the server itself, so the client need not sleep between tries. */
    boolean waitsOnServer();

    /** Frees any extra resource (a heartbeat connection). Idempotent. */
    default void close() {}
  }

  private final Database database;
  private final Connection work;
  private final Dialect dialect;
  private final Duration timeout;
  private final String target;
  private final String owner;
  private final MaskingLog log;
  private int depth;
  private long acquiredAtMillis;

  /**
   * @param work the step's connection, the one Liquibase runs on
   * @param target the database, for messages, e.g. "PostgreSQL database 'orders' at db:5432"
   * @param owner who we are, for messages (host and pid)
   */
  StepLock(Database database, Connection work, Dialect dialect, Duration timeout, String target, String owner,
      MaskingLog log) {
    this.database = database;
    this.work = work;
    this.dialect = dialect;
    this.timeout = timeout;
    this.target = target;
    this.owner = owner;
    this.log = log;
  }

  /** The lock of the current step's scope, or null outside a dbops step. */
  static StepLock current() {
    return Scope.getCurrentScope().get(SCOPE_KEY, StepLock.class);
  }

  boolean covers(Database db) {
    return db == database;
  }

  boolean isHeld() {
    return depth > 0;
  }

  long acquiredAtMillis() {
    return acquiredAtMillis;
  }

  String owner() {
    return owner;
  }

  /** Takes the lock, waiting at most the configured timeout; re-entrant. */
  void acquire() throws LockException {
    if (depth > 0) {
      depth++;
      return;
    }
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    long nextReport = start + REPORT_EVERY_NANOS;
    boolean reported = false;
    try {
      while (true) {
        long remaining = deadline - System.nanoTime();
        int slice = remaining >= TimeUnit.SECONDS.toNanos(1) ? 1 : 0;
        if (dialect.tryLock(work, slice)) {
          break;
        }
        if (!reported) {
          reported = true;
          log.info("Waiting up to " + timeout.toSeconds() + " s for the change lock on " + target
              + heldBy() + ".");
        }
        if (System.nanoTime() - deadline >= 0) {
          throw new LockException("Timed out after " + seconds(System.nanoTime() - start)
              + " s waiting for the change lock on " + target + heldBy() + ": another dbops step is changing"
              + " this database. The lock belongs to that step's database session and is freed when it"
              + " ends or its process dies; retry later, or raise DBOPS_STEP_LOCK_TIMEOUT_SECONDS (now "
              + timeout.toSeconds() + ").");
        }
        if (System.nanoTime() - nextReport >= 0) {
          nextReport += REPORT_EVERY_NANOS;
          log.info("Still waiting for the change lock on " + target + heldBy() + " ("
              + seconds(System.nanoTime() - start) + " of " + timeout.toSeconds() + " s).");
        }
        if (!dialect.waitsOnServer() || slice == 0) {
          pause(Math.min(POLL_MILLIS, Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
        }
      }
      depth = 1;
      acquiredAtMillis = System.currentTimeMillis();
      endTransaction();
      if (reported) {
        log.info("Got the change lock on " + target + " after " + seconds(System.nanoTime() - start) + " s.");
      }
      waitForLiquibaseRow(start, deadline);
    } catch (SQLException e) {
      releaseQuietly();
      throw new LockException("Could not take the change lock on " + target + ": " + Failures.describe(e), e);
    } catch (LockException e) {
      releaseQuietly();
      throw e;
    }
  }

  /** One attempt without waiting; re-entrant. */
  boolean tryAcquire() throws LockException {
    if (depth > 0) {
      depth++;
      return true;
    }
    try {
      if (!dialect.tryLock(work, 0)) {
        return false;
      }
      depth = 1;
      acquiredAtMillis = System.currentTimeMillis();
      endTransaction();
      return true;
    } catch (SQLException e) {
      throw new LockException("Could not take the change lock on " + target + ": " + Failures.describe(e), e);
    }
  }

  /** Undoes one acquire; the session lock is released with the last. */
  void release() throws LockException {
    if (depth == 0) {
      return;
    }
    if (--depth == 0) {
      unlock();
    }
  }

  /**
   * Releases the lock whatever the depth. Anything the step left uncommitted is rolled back first:
   * a step that got this far without committing failed.
   */
  void releaseAll() throws LockException {
    if (depth == 0) {
      dialect.close();
      return;
    }
    depth = 0;
    unlock();
  }

  private void unlock() throws LockException {
    try {
      if (!work.getAutoCommit()) {
        work.rollback();
      }
      dialect.unlock(work);
      endTransaction();
    } catch (SQLException e) {
      throw new LockException("Could not release the change lock on " + target + ": " + Failures.describe(e), e);
    } finally {
      dialect.close();
    }
  }

  private void releaseQuietly() {
    try {
      depth = 0;
      dialect.unlock(work);
      endTransaction();
    } catch (SQLException | RuntimeException e) {
      logger.debug("Releasing the change lock on {} after a failure failed", target, e);
    } finally {
      dialect.close();
    }
  }

  private void endTransaction() throws SQLException {
    if (!work.getAutoCommit()) {
      work.commit(); // nothing of Liquibase's is pending while the lock is taken or released
    }
  }

  private String heldBy() {
    String holder = dialect.holder(work);
    return holder.isEmpty() ? "" : " (held by " + holder + ")";
  }

  /**
   * Plain Liquibase locks with a DATABASECHANGELOGLOCK row; a live run of it must be waited for,
   * a dead one left the row behind and only a person can tell which.
   */
  private void waitForLiquibaseRow(long start, long deadline) throws LockException, SQLException {
    String table;
    try {
      table = database.escapeTableName(database.getLiquibaseCatalogName(), database.getLiquibaseSchemaName(),
          database.getDatabaseChangeLogLockTableName());
    } catch (RuntimeException e) {
      return;
    }
    boolean warned = false;
    while (true) {
      LockRow row = readRow(table);
      if (row == null) {
        return;
      }
      if (!warned) {
        warned = true;
        log.warn("Liquibase's lock row in " + table + " is set: locked by " + row.lockedBy() + " at "
            + row.granted() + ". Waiting up to " + timeout.toSeconds() + " s in case that Liquibase run is"
            + " still going.");
      }
      if (System.nanoTime() - deadline >= 0) {
        throw new LockException("The Liquibase lock row in " + table + " on " + target + " has been set since "
            + row.granted() + " by " + row.lockedBy() + " (waited " + seconds(System.nanoTime() - start)
            + " s). dbops does not use that row, but plain Liquibase does: if no Liquibase process is"
            + " running against this database, the row is stale (a killed run) and can be released with"
            + " `liquibase release-locks` or: UPDATE " + table
            + " SET LOCKED = FALSE, LOCKGRANTED = NULL, LOCKEDBY = NULL WHERE ID = 1");
      }
      pause(Math.min(1000, Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
    }
  }

  private record LockRow(String lockedBy, String granted) {}

  private LockRow readRow(String table) throws SQLException {
    try (Statement s = work.createStatement();
        ResultSet rs = s.executeQuery("SELECT LOCKED, LOCKEDBY, LOCKGRANTED FROM " + table + " WHERE ID = 1")) {
      LockRow row = null;
      if (rs.next() && rs.getBoolean(1)) {
        String by = rs.getString(2);
        String granted = rs.getString(3);
        row = new LockRow(by == null ? "an unknown host" : by, granted == null ? "an unknown time" : granted);
      }
      endTransaction();
      return row;
    } catch (SQLException e) {
      // No lock table (plain Liquibase never ran here) or an unreadable one: nothing to wait for.
      if (!work.getAutoCommit()) {
        work.rollback();
      }
      return null;
    }
  }

  private static long seconds(long nanos) {
    return Math.round(nanos / 1e9);
  }

  private static void pause(long millis) throws LockException {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LockException("Interrupted while waiting for the change lock (the step was stopped)");
    }
  }
}
