package io.dbops.step.liquibase;

import io.dbops.step.drift.ScratchDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.util.Objects;
import liquibase.Liquibase;

/**
 * What one {@link KindRunner} works with: the step, its open Liquibase and the step's session.
 * Build it with {@link #builder()}.
 *
 * @param liquibase the step's Liquibase, inside the step's scope
 * @param command the step
 * @param log the step's (masking) log
 * @param tracker per-changeset callbacks
 * @param clock for tag names
 * @param lock the step's session lock, taken for the whole of APPLY, ROLLBACK, TAG and SYNC; null
 *     when Liquibase's standard lock applies
 * @param gate the step's connection; null when not gated
 * @param transactionalDdl whether the database rolls back DDL with the transaction (PostgreSQL)
 * @param live the step's JDBC connection (for DRIFT and POLICY metadata reads)
 * @param searchRoot the directory the changelog (and POLICY's rule file) is resolved against
 * @param scratch opens connections as the step's user, for DRIFT's scratch database
 * @param memo remembers up-to-date applies; null for every kind but APPLY
 */
@SuppressWarnings("deprecation") // the Liquibase facade is deprecated but stable across 4.x
record KindParts(Liquibase liquibase, StepCommand command, MaskingLog log, ChangeSetTracker tracker, Clock clock,
    StepLock lock, TransactionGate gate, boolean transactionalDdl, Connection live, Path searchRoot,
    ScratchDatabase.Connector scratch, UpToDateMemo memo) {

  KindParts {
    Objects.requireNonNull(liquibase, "liquibase");
    Objects.requireNonNull(command, "command");
    Objects.requireNonNull(log, "log");
    Objects.requireNonNull(tracker, "tracker");
    Objects.requireNonNull(clock, "clock");
  }

  static Builder builder() {
    return new Builder();
  }

  /** Builds {@link KindParts}; not thread-safe. */
  static final class Builder {
    private Liquibase liquibase;
    private StepCommand command;
    private MaskingLog log;
    private ChangeSetTracker tracker;
    private Clock clock;
    private StepLock lock;
    private TransactionGate gate;
    private boolean transactionalDdl;
    private Connection live;
    private Path searchRoot;
    private ScratchDatabase.Connector scratch;
    private UpToDateMemo memo;

    private Builder() {}

    Builder liquibase(Liquibase liquibase) {
      this.liquibase = liquibase;
      return this;
    }

    Builder command(StepCommand command) {
      this.command = command;
      return this;
    }

    Builder log(MaskingLog log) {
      this.log = log;
      return this;
    }

    Builder tracker(ChangeSetTracker tracker) {
      this.tracker = tracker;
      return this;
    }

    Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    Builder lock(StepLock lock) {
      this.lock = lock;
      return this;
    }

    Builder gate(TransactionGate gate) {
      this.gate = gate;
      return this;
    }

    Builder transactionalDdl(boolean transactionalDdl) {
      this.transactionalDdl = transactionalDdl;
      return this;
    }

    Builder live(Connection live) {
      this.live = live;
      return this;
    }

    Builder searchRoot(Path searchRoot) {
      this.searchRoot = searchRoot;
      return this;
    }

    Builder scratch(ScratchDatabase.Connector scratch) {
      this.scratch = scratch;
      return this;
    }

    Builder memo(UpToDateMemo memo) {
      this.memo = memo;
      return this;
    }

    KindParts build() {
      return new KindParts(liquibase, command, log, tracker, clock, lock, gate, transactionalDdl, live, searchRoot,
          scratch, memo);
    }
  }
}
