package io.dbops.step.liquibase;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets another thread stop a running step: Stop, the caller's deadline, or a cancelled stream.
 * Stopping is best effort: the step checks between changesets, its thread is interrupted, and its
 * database connection is aborted so a long statement ends too. Thread-safe.
 */
public final class StepControl {
  private static final Logger log = LoggerFactory.getLogger(StepControl.class);

  private final AtomicBoolean stopped = new AtomicBoolean();
  private volatile String reason = "";
  private volatile Thread thread;
  private volatile Connection connection;

  /** Asks the step to stop; true when this call was the first to ask. */
  public boolean stop(String why) {
    if (!stopped.compareAndSet(false, true)) {
      return false;
    }
    reason = why;
    Connection c = connection;
    if (c != null) {
      try {
        // Runs the abort on this thread: closing a socket is quick, and no executor is needed.
        c.abort(Runnable::run);
      } catch (SQLException | RuntimeException e) {
        log.debug("Aborting the step's connection failed", e);
      }
    }
    Thread t = thread;
    if (t != null) {
      t.interrupt();
    }
    return true;
  }

  public boolean isStopped() {
    return stopped.get();
  }

  /** Why the step was stopped; empty while running. */
  public String reason() {
    return reason;
  }

  void attach(Thread runner, Connection c) {
    this.thread = runner;
    this.connection = c;
  }

  void detach() {
    this.thread = null;
    this.connection = null;
  }

  /** Throws when stop was requested, so Liquibase unwinds before its next changeset. */
  void checkNotStopped() {
    if (stopped.get()) {
      throw new StepStoppedException(reason);
    }
  }

  static final class StepStoppedException extends RuntimeException {
    StepStoppedException(String reason) {
      super("Step stopped: " + reason);
    }
  }
}
