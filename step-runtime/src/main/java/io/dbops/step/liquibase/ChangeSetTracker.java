package io.dbops.step.liquibase;

import java.util.ArrayList;
import java.util.List;
import liquibase.change.Change;
import liquibase.changelog.ChangeSet;
import liquibase.changelog.DatabaseChangeLog;
import liquibase.changelog.visitor.AbstractChangeExecListener;
import liquibase.database.Database;

/**
 * Per-changeset callbacks from Liquibase: sends a progress event and streams "Applying"/"Applied"
 * lines, times each changeset, counts its statements, and remembers which one failed. Used by one
 * step on one thread.
 */
final class ChangeSetTracker extends AbstractChangeExecListener {
  private final MaskingLog log;
  private final StepControl control;
  private final TransactionGate gate;
  private final StatementRecorder recorder;
  private final SearchPathWatch searchPath;
  private List<String> failedStatements = List.of();
  private boolean failedInTransaction;
  private final List<ChangeSetOutcome> records = new ArrayList<>();
  private long startedNanos;
  private int statements;
  private ChangeSetOutcome failed;
  private Exception failure;
  private int total;
  private int started;
  private boolean rendering;

  ChangeSetTracker(MaskingLog log, StepControl control) {
    this(log, control, null, null, null);
  }

  /**
   * @param gate the step's connection, told when a changeset starts so its commit can wait for its
   *     history row; may be null
   * @param recorder the step's SQL recorder, restarted for every changeset; may be null
   * @param searchPath told when a changeset has run or rolled back; may be null
   */
  ChangeSetTracker(MaskingLog log, StepControl control, TransactionGate gate, StatementRecorder recorder,
      SearchPathWatch searchPath) {
    this.log = log;
    this.control = control;
    this.gate = gate;
    this.recorder = recorder;
    this.searchPath = searchPath;
  }

  /**
   * How many changesets the coming update or rollback will start (0 = unknown), for the progress
   * events; restarts the count.
   */
  /**
   * The changesets are rendered as SQL, not applied (PREVIEW): no "Applying"/"Applied" lines and no
   * progress events, which would tell the reader something ran.
   */
  void rendering() {
    rendering = true;
  }

  void expect(int total) {
    this.total = Math.max(0, total);
    this.started = 0;
  }

  private void starting(ChangeSet changeSet) {
    started++;
    // Before the changeset's log lines, as the proto's ChangeSetProgress promises. A known total
    // never reads below the count started (it is an estimate for a rollback to a tag).
    if (!rendering) {
      log.progress(started, total == 0 ? 0 : Math.max(total, started), name(changeSet));
    }
    if (recorder != null) {
      recorder.start();
    }
    if (gate != null) {
      try {
        gate.changeSetStarting(changeSet);
      } catch (liquibase.exception.DatabaseException e) {
        throw new IllegalStateException("Committing the previous changeset failed: " + Failures.describe(e), e);
      }
    }
  }

  @Override
  public void willRun(ChangeSet changeSet, DatabaseChangeLog changeLog, Database database,
      ChangeSet.RunStatus runStatus) {
    control.checkNotStopped();
    starting(changeSet);
    startedNanos = System.nanoTime();
    statements = 0;
    if (!rendering) {
      log.info("Applying changeset " + name(changeSet));
    }
  }

  @Override
  public void ran(Change change, ChangeSet changeSet, DatabaseChangeLog changeLog, Database database) {
    if (recorder != null) {
      // What the recorder saw since the changeset started: its statements so far (its history row
      // comes after the last change).
      statements = recorder.count();
      return;
    }
    try {
      statements += change.generateStatements(database).length;
    } catch (RuntimeException e) {
      // Counting is informational; some changes cannot regenerate their statements.
    }
  }

  @Override
  public void ran(ChangeSet changeSet, DatabaseChangeLog changeLog, Database database,
      ChangeSet.ExecType execType) {
    long millis = elapsedMillis();
    if (recorder != null) {
      recorder.stop();
    }
    if (searchPath != null) {
      searchPath.changeSetDone(changeSet);
    }
    String state = switch (execType) {
      case EXECUTED, RERAN -> "EXECUTED";
      case FAILED -> "FAILED";
      default -> "SKIPPED";
    };
    records.add(record(changeSet, state, millis, statements));
    if (rendering) {
      return;
    }
    if ("EXECUTED".equals(state)) {
      log.info("Applied changeset " + name(changeSet) + " in " + millis + " ms");
    } else {
      log.info("Changeset " + name(changeSet) + " " + execType.name().toLowerCase(java.util.Locale.ROOT));
    }
  }

  @Override
  public void runFailed(ChangeSet changeSet, DatabaseChangeLog changeLog, Database database,
      Exception exception) {
    failed = record(changeSet, "FAILED", elapsedMillis(), statements);
    failure = exception;
    records.add(failed);
    failedInTransaction = changeSet.isRunInTransaction();
    if (recorder != null) {
      recorder.stop();
      failedStatements = recorder.statements();
    }
    if (gate != null) {
      gate.discard();
    }
  }

  @Override
  public void willRollback(ChangeSet changeSet, DatabaseChangeLog changeLog, Database database) {
    control.checkNotStopped();
    starting(changeSet);
    startedNanos = System.nanoTime();
    log.info("Rolling back changeset " + name(changeSet));
  }

  @Override
  public void rolledBack(ChangeSet changeSet, DatabaseChangeLog changeLog, Database database) {
    long millis = elapsedMillis();
    if (searchPath != null) {
      searchPath.changeSetDone(changeSet);
    }
    records.add(record(changeSet, "ROLLED_BACK", millis, 0));
    log.info("Rolled back changeset " + name(changeSet) + " in " + millis + " ms");
  }

  @Override
  public void rollbackFailed(ChangeSet changeSet, DatabaseChangeLog changeLog, Database database,
      Exception exception) {
    failed = record(changeSet, "FAILED", elapsedMillis(), 0);
    failure = exception;
    records.add(failed);
    if (gate != null) {
      gate.discard();
    }
  }

  List<ChangeSetOutcome> records() {
    return List.copyOf(records);
  }

  long count(String state) {
    return records.stream().filter(r -> r.state().equals(state)).count();
  }

  /** The changeset that failed, or null. */
  ChangeSetOutcome failed() {
    return failed;
  }

  Exception failure() {
    return failure;
  }

  /** SQL the failed changeset sent before it failed, the failing statement last; empty if unknown. */
  List<String> failedStatements() {
    return failedStatements;
  }

  /** Whether the failed changeset had runInTransaction=true. */
  boolean failedInTransaction() {
    return failedInTransaction;
  }

  static ChangeSetOutcome record(ChangeSet changeSet, String state, long millis, int statements) {
    return new ChangeSetOutcome(changeSet.getId(), changeSet.getAuthor(), changeSet.getFilePath(),
        state, millis, statements);
  }

  static String name(ChangeSet changeSet) {
    return changeSet.getFilePath() + "::" + changeSet.getId() + "::" + changeSet.getAuthor();
  }

  private long elapsedMillis() {
    return (System.nanoTime() - startedNanos) / 1_000_000;
  }
}
