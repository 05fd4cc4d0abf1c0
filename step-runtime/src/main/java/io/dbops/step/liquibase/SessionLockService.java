package io.dbops.step.liquibase;

import java.util.Date;
import liquibase.Scope;
import liquibase.database.Database;
import liquibase.lockservice.DatabaseChangeLogLock;
import liquibase.lockservice.LockService;
import liquibase.exception.LockException;

/**
 * Liquibase's lock service extension point, backed by the step's session-scoped {@link StepLock}
 * ({@code pg_advisory_lock} on PostgreSQL, {@code GET_LOCK} on MariaDB/MySQL, nothing beyond the
 * file lock on embedded H2) instead of the DATABASECHANGELOGLOCK row. A killed process never leaves
 * a stale lock: the database drops it with the session.
 *
 * <p>Registered through META-INF/services with a higher priority than StandardLockService. It only
 * applies inside a dbops step (the step's scope carries the StepLock for that exact database), so
 * plain Liquibase in the same JVM keeps the standard lock. Stateless: Liquibase creates and resets
 * lock services freely (LockServiceFactory.resetAll after every command), so the state lives in
 * the step's StepLock.
 */
public final class SessionLockService implements LockService {
  private Database database;

  /** Liquibase instantiates lock services reflectively. */
  public SessionLockService() {}

  @Override
  public int getPriority() {
    return PRIORITY_DATABASE + 5; // above StandardLockService (PRIORITY_DEFAULT) and LockServiceImpl
  }

  @Override
  public boolean supports(Database database) {
    StepLock lock = StepLock.current();
    return lock != null && database != null && lock.covers(database);
  }

  @Override
  public void setDatabase(Database database) {
    this.database = database;
  }

  private StepLock lock() throws LockException {
    StepLock lock = StepLock.current();
    if (lock == null || database == null || !lock.covers(database)) {
      throw new LockException("The dbops session lock is only available inside a dbops step");
    }
    return lock;
  }

  @Override
  public void setChangeLogLockWaitTime(long changeLogLockWaitTime) {
    // The wait is DBOPS_STEP_LOCK_TIMEOUT_SECONDS, fixed per step.
  }

  @Override
  public void setChangeLogLockRecheckTime(long changeLogLockRecheckTime) {
    // Polling interval is internal.
  }

  @Override
  public boolean hasChangeLogLock() {
    StepLock lock = StepLock.current();
    return lock != null && database != null && lock.covers(database) && lock.isHeld();
  }

  @Override
  public void waitForLock() throws LockException {
    lock().acquire();
  }

  @Override
  public boolean acquireLock() throws LockException {
    return lock().tryAcquire();
  }

  @Override
  public void releaseLock() throws LockException {
    lock().release();
  }

  @Override
  public DatabaseChangeLogLock[] listLocks() throws LockException {
    StepLock lock = StepLock.current();
    if (lock == null || !lock.isHeld()) {
      return new DatabaseChangeLogLock[0];
    }
    return new DatabaseChangeLogLock[] {new DatabaseChangeLogLock(1, new Date(lock.acquiredAtMillis()), lock.owner())};
  }

  @Override
  public void forceReleaseLock() throws LockException {
    lock().releaseAll();
  }

  @Override
  public void reset() {
    // Stateless; see the class comment.
  }

  @Override
  public void init() {
    // No lock table: the lock is the database session's.
  }

  @Override
  public void destroy() {
    // Nothing was created.
  }

}
