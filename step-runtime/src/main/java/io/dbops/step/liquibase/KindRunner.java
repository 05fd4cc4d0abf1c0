package io.dbops.step.liquibase;

import java.io.StringWriter;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import liquibase.Contexts;
import liquibase.LabelExpression;
import liquibase.Liquibase;
import liquibase.Scope;
import liquibase.changelog.ChangeLogHistoryServiceFactory;
import liquibase.changelog.RanChangeSet;
import liquibase.changelog.ChangeSet;
import liquibase.exception.LiquibaseException;

/**
 * Runs one step kind with an open {@link Liquibase} inside the step's Liquibase scope. One
 * instance per step; not thread-safe.
 */
@SuppressWarnings("deprecation") // the Liquibase facade is deprecated but stable across 4.x
final class KindRunner {
  private static final DateTimeFormatter TAG_TIME =
      DateTimeFormatter.ofPattern("yyyyMMddHHmmssSSS").withZone(ZoneOffset.UTC);

  private final Liquibase liquibase;
  private final StepCommand command;
  private final MaskingLog log;
  private final ChangeSetTracker tracker;
  private final Clock clock;
  private final Contexts contexts;
  private final LabelExpression labels;
  private final StepLock lock;
  private final TransactionGate gate;
  private final boolean transactionalDdl;
  private final java.sql.Connection live;
  private final java.nio.file.Path searchRoot;
  private final io.dbops.step.drift.ScratchDatabase.Connector scratch;
  private final UpToDateMemo memo;

  /** @param parts the step, its Liquibase and its session */
  KindRunner(KindParts parts) {
    this.liquibase = parts.liquibase();
    this.command = parts.command();
    this.log = parts.log();
    this.tracker = parts.tracker();
    this.clock = parts.clock();
    this.contexts = new Contexts(command.contexts());
    this.labels = new LabelExpression(command.labels());
    this.lock = parts.lock();
    this.gate = parts.gate();
    this.transactionalDdl = parts.transactionalDdl();
    this.live = parts.live();
    this.searchRoot = parts.searchRoot();
    this.scratch = parts.scratch();
    this.memo = parts.memo();
  }

  StepOutcome run() throws LiquibaseException {
    boolean locking = lock != null && switch (command.kind()) {
      case APPLY, ROLLBACK, TAG, SYNC -> true;
      default -> false;
    };
    if (!locking) {
      return withHistory(runKind());
    }
    // One lock for the whole step: pending list, pre-start tag, update and post tag see one state.
    lock.acquire();
    try {
      return withHistory(runKind());
    } finally {
      lock.release();
    }
  }

  /** The step kinds whose outcome also carries the target's history (for the control plane's state). */
  private static final java.util.Set<StepCommand.Kind> WITH_HISTORY = java.util.EnumSet.of(StepCommand.Kind.APPLY,
      StepCommand.Kind.ROLLBACK, StepCommand.Kind.SYNC, StepCommand.Kind.TAG, StepCommand.Kind.STATUS);

  /**
   * The outcome with the target's history rows as read after the step on the same connection
   * ({@link io.dbops.step.history.HistoryOutput}: {@code history} or {@code historyGzip}, and
   * {@code historyCount}), for apply, rollback, sync, tag and status, also after a failure. A failed
   * read leaves the outcome as it is (the step's own result matters more) and says so in the log.
   */
  private StepOutcome withHistory(StepOutcome outcome) {
    if (!WITH_HISTORY.contains(command.kind())) {
      return outcome;
    }
    try {
      Map<String, String> outputs = new LinkedHashMap<>(outcome.outputs());
      io.dbops.step.history.HistoryOutput.put(outputs, HistoryRunner.read(liquibase.getDatabase(), true));
      return new StepOutcome(outcome.status(), outcome.error(), outputs, outcome.changesets(),
          outcome.durationMillis());
    } catch (Exception e) {
      log.warn("Could not read the history after the step (" + Failures.describe(e)
          + "); the control plane's migration state of this target is not updated.");
      return outcome;
    }
  }

  private StepOutcome runKind() throws LiquibaseException {
    try {
      StepOutcome refused = command.kind() == StepCommand.Kind.APPLY ? null : identityRefusal();
      if (refused != null) {
        return refused;
      }
      return switch (command.kind()) {
        case DRIFT -> {
          // Changelog properties may depend on contexts/labels: parse as the applies did.
          liquibase.getChangeLogParameters().setContexts(contexts);
          liquibase.getChangeLogParameters().setLabels(labels);
          yield new DriftRunner(command, log, scratch).run(liquibase.getDatabase(), liquibase.getDatabaseChangeLog(), live);
        }
        case POLICY -> new PolicyRunner(command, log, searchRoot).run(liquibase.getDatabase(),
            liquibase.listUnrunChangeSets(contexts, labels, false), live);
        case HISTORY -> new HistoryRunner(log).run(liquibase.getDatabase());
        case PREVIEW -> command.rollback() ? new RollbackPreview(command, log).run(liquibase) : preview();
        default -> runLiquibaseKind();
      };
    } catch (LiquibaseException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new LiquibaseException(Failures.describe(e), e);
    }
  }

  private StepOutcome runLiquibaseKind() throws LiquibaseException {
    return switch (command.kind()) {
      case APPLY -> apply();
      case PREVIEW -> preview();
      case STATUS -> status();
      case VALIDATE -> validate();
      case TAG -> tag();
      case ROLLBACK -> rollback();
      case SYNC -> sync();
      case DRIFT, POLICY, HISTORY, CLONE -> throw new IllegalStateException("not a Liquibase kind: " + command.kind());
    };
  }

  private StepOutcome apply() throws LiquibaseException {
    UpToDateMemo.Key memoKey = UpToDateMemo.key(command, searchRoot + "|" + command.changelog());
    boolean bound = !command.approvedSqlHash().isEmpty();
    boolean known = !bound && memo != null && live != null
        && memo.isUpToDate(memoKey, liquibase.getDatabaseChangeLog(), liquibase.getDatabase(), live);
    List<ChangeSet> pending = known ? List.of() : liquibase.listUnrunChangeSets(contexts, labels, false);
    if (memo != null && live != null && !known) {
      if (pending.isEmpty()) {
        memo.rememberUpToDate(memoKey, liquibase.getDatabaseChangeLog(), liquibase.getDatabase(), live);
      } else {
        memo.forget(memoKey);
      }
    }
    Map<String, String> outputs = new LinkedHashMap<>();
    outputs.put("pendingBefore", Integer.toString(pending.size()));
    if (bound) {
      // Before the tag and before anything runs: the approval binds exactly this SQL.
      List<ApprovedSql.Entry> now = ApprovedSql.entries(pending, liquibase.getDatabase());
      outputs.put("sqlHash", ApprovedSql.hash(now));
      String refusal = ApprovedSql.refusal(command.approvedSqlHash(), now);
      if (refusal != null) {
        log.error(refusal);
        outputs.put("changesetsApplied", "0");
        return StepOutcome.failed(refusal, outputs, pendingRecords(pending));
      }
      log.info("The pending SQL is the SQL approved (sqlHash " + command.approvedSqlHash() + ").");
    }
    if (pending.isEmpty()) {
      // No tag either: tagging would overwrite the tag on the last applied row.
      log.info(known ? "Database is up to date: no changesets to apply. (History and changelog unchanged since the"
          + " last check.)" : "Database is up to date: no changesets to apply.");
      if (!command.tag().isEmpty()) {
        log.info("Not recording tag '" + command.tag() + "': nothing was applied.");
      }
      outputs.put("changesetsApplied", "0");
      outputs.put("preStartTag", "");
      return StepOutcome.succeeded(outputs, List.of());
    }
    StepOutcome refused = identityRefusal(); // only when something is pending: a mismatch always is
    if (refused != null) {
      return refused;
    }
    if (command.requireReversible()) {
      var irreversible = ReversibilityCheck.irreversible(pending, liquibase.getDatabase());
      if (!irreversible.isEmpty()) {
        return ReversibilityCheck.refusal(irreversible, pending.size());
      }
      log.info("All " + pending.size() + " pending changeset(s) can be rolled back (onFailure: rollback).");
    }
    log.info(pending.size() + " changeset(s) to apply.");
    String preTag = existingLastTag();
    if (preTag != null) {
      // Tagging would overwrite the tag already on the last row, which someone may rely on; rolling
      // back to it restores exactly the same state.
      log.info("Rollback tag " + preTag + " is already on the last applied changeset; using it.");
    } else {
      preTag = command.preTagPrefix() + "-" + TAG_TIME.format(clock.instant());
      liquibase.tag(preTag);
      log.info("Recorded rollback tag " + preTag);
    }
    outputs.put("preStartTag", preTag);
    tracker.expect(pending.size());
    try {
      liquibase.update(contexts, labels);
      if (gate != null) {
        gate.flush();
      }
    } catch (LiquibaseException | RuntimeException e) {
      outputs.put("changesetsApplied", Long.toString(tracker.count("EXECUTED")));
      return StepOutcome.failed(changesetError(e), outputs, tracker.records());
    }
    long applied = tracker.count("EXECUTED");
    outputs.put("changesetsApplied", Long.toString(applied));
    if (!command.tag().isEmpty()) {
      liquibase.tag(command.tag());
      log.info("Recorded tag " + command.tag());
      outputs.put("postTag", command.tag());
    }
    log.info("Applied " + applied + " changeset(s).");
    if (memo != null && live != null && applied == pending.size() && pending.stream().noneMatch(ChangeSet::shouldAlwaysRun)) {
      // Every pending changeset ran and none runs always: Liquibase would now find nothing pending.
      memo.rememberUpToDate(memoKey, liquibase.getDatabaseChangeLog(), liquibase.getDatabase(), live);
    }
    return StepOutcome.succeeded(outputs, tracker.records());
  }

  private StepOutcome preview() throws LiquibaseException {
    List<ChangeSet> pending = liquibase.listUnrunChangeSets(contexts, labels, false);
    StringWriter sql = new StringWriter();
    tracker.rendering(); // a preview applies nothing: no "Applying" lines, no progress
    liquibase.update(contexts, labels, sql);
    String masked = log.mask(sql.toString());
    log.info(masked);
    Map<String, String> outputs = new LinkedHashMap<>();
    outputs.put("sql", masked);
    outputs.put("pending", Integer.toString(pending.size()));
    List<ApprovedSql.Entry> entries = ApprovedSql.entries(pending, liquibase.getDatabase());
    outputs.put("sqlHash", ApprovedSql.hash(entries));
    outputs.put("sqlHashes", ApprovedSql.manifest(entries));
    return StepOutcome.succeeded(outputs, pendingRecords(pending));
  }

  private StepOutcome status() throws LiquibaseException {
    List<ChangeSet> pending = liquibase.listUnrunChangeSets(contexts, labels, false);
    if (pending.isEmpty()) {
      log.info("Database is up to date: no pending changesets.");
    } else {
      log.info(pending.size() + " pending changeset(s):");
      pending.forEach(cs -> log.info("  " + ChangeSetTracker.name(cs)));
    }
    return StepOutcome.succeeded(Map.of("pending", Integer.toString(pending.size())), pendingRecords(pending));
  }

  private StepOutcome validate() {
    try {
      liquibase.validate();
    } catch (LiquibaseException | RuntimeException e) {
      return StepOutcome.failed("Changelog " + command.changelog() + " is not valid: " + Failures.describe(e),
          Map.of(), List.of());
    }
    log.info("Changelog " + command.changelog() + " is valid.");
    return StepOutcome.succeeded(Map.of(), List.of());
  }

  private StepOutcome tag() throws LiquibaseException {
    liquibase.tag(command.tag());
    log.info("Recorded tag " + command.tag());
    return StepOutcome.succeeded(Map.of("tag", command.tag()), List.of());
  }

  private StepOutcome sync() throws LiquibaseException {
    List<ChangeSet> before = liquibase.listUnrunChangeSets(contexts, labels, false);
    if (before.isEmpty()) {
      log.info("Database is up to date: no changesets to mark as applied.");
      return StepOutcome.succeeded(Map.of("synced", "0", "pendingBefore", "0"), List.of());
    }
    if (command.nextOnly()) {
      log.info("Marking the next pending changeset as applied without running it: " + ChangeSetTracker.name(before.get(0)));
      liquibase.markNextChangeSetRan(contexts, labels);
    } else {
      log.info("Marking " + before.size() + " pending changeset(s) as applied without running them.");
      liquibase.changeLogSync(contexts, labels);
    }
    if (gate != null) {
      gate.flush();
    }
    java.util.Set<String> still = new java.util.HashSet<>();
    liquibase.listUnrunChangeSets(contexts, labels, false).forEach(cs -> still.add(ChangeSetTracker.name(cs)));
    List<ChangeSetOutcome> synced = before.stream().filter(cs -> !still.contains(ChangeSetTracker.name(cs)))
        .map(cs -> ChangeSetTracker.record(cs, "SYNCED", 0, 0)).toList();
    synced.forEach(r -> log.info("Marked as applied: " + r.name()));
    Map<String, String> outputs = new LinkedHashMap<>();
    outputs.put("pendingBefore", Integer.toString(before.size()));
    outputs.put("synced", Integer.toString(synced.size()));
    log.info("Marked " + synced.size() + " changeset(s) as applied.");
    return StepOutcome.succeeded(outputs, synced);
  }

  private StepOutcome rollback() throws LiquibaseException {
    Map<String, String> outputs = new LinkedHashMap<>();
    try {
      if (!command.tag().isEmpty()) {
        if (!liquibase.tagExists(command.tag())) {
          return StepOutcome.failed("Tag '" + command.tag() + "' is not recorded in "
              + liquibase.getDatabase().getDatabaseChangeLogTableName() + ";"
              + " nothing was rolled back. Check the tag name (an apply's preStartTag output).", Map.of("rolledBack", "0"), List.of());
        }
        log.info("Rolling back to tag " + command.tag());
        tracker.expect(rollbackTotal());
        liquibase.rollback(command.tag(), contexts, labels);
      } else {
        log.info("Rolling back the last " + command.count() + " changeset(s)");
        tracker.expect(rollbackTotal());
        liquibase.rollback(command.count(), null, contexts, labels);
      }
    } catch (LiquibaseException | RuntimeException e) {
      outputs.put("rolledBack", Long.toString(tracker.count("ROLLED_BACK")));
      ChangeSetOutcome failed = tracker.failed();
      String error = failed == null ? "Rollback failed: " + Failures.describe(e)
          : "Rollback of changeset " + failed.name() + " failed: " + Failures.describe(e);
      return StepOutcome.failed(error, outputs, tracker.records());
    }
    long rolledBack = tracker.count("ROLLED_BACK");
    outputs.put("rolledBack", Long.toString(rolledBack));
    log.info("Rolled back " + rolledBack + " changeset(s).");
    if (PreStartTags.recordedByThisRun(command.tag(), command.preTagPrefix())) {
      PreStartTags.remove(liquibase.getDatabase(), command.tag());
      if (gate != null) {
        gate.flush();
      }
      outputs.put("removedTag", command.tag());
      log.info("Removed tag " + command.tag() + ", recorded by this run's apply: the history is as before it.");
    }
    return StepOutcome.succeeded(outputs, tracker.records());
  }

  /**
   * How many changesets the rollback will undo, for progress events: the last {@code count}
   * recorded changesets (fewer if fewer are recorded), or those recorded after the tag's row. From
   * the history Liquibase reads (and caches) for the rollback anyway. 0 (unknown) when contexts or
   * labels may filter some out.
   */
  private int rollbackTotal() throws LiquibaseException {
    if (!command.contexts().isBlank() || !command.labels().isBlank()) {
      return 0;
    }
    List<RanChangeSet> ran = ranChangeSets();
    if (command.tag().isEmpty()) {
      long recorded = ran.stream().filter(r -> !isInternal(r)).count();
      return (int) Math.min(command.count(), recorded);
    }
    // Liquibase rolls back to the oldest row carrying the tag (TagVersionEnum.OLDEST).
    int after = 0;
    boolean seen = false;
    for (RanChangeSet r : ran) {
      if (seen && !isInternal(r)) {
        after++;
      } else if (!seen && command.tag().equalsIgnoreCase(r.getTag())) {
        seen = true;
      }
    }
    return seen ? after : 0;
  }

  /**
   * A FAILED outcome when the history records changesets of this changelog under another path
   * ({@link ChangesetIdentity}), for the kinds that compare the changelog with the history; null
   * otherwise.
   */
  private StepOutcome identityRefusal() throws LiquibaseException {
    if (command.kind() == StepCommand.Kind.TAG || command.kind() == StepCommand.Kind.HISTORY) {
      return null;
    }
    liquibase.getChangeLogParameters().setContexts(contexts); // parse as the kinds do
    liquibase.getChangeLogParameters().setLabels(labels);
    List<ChangesetIdentity.Mismatch> mismatches =
        ChangesetIdentity.find(liquibase.getDatabaseChangeLog(), ranChangeSets());
    return mismatches.isEmpty() ? null : StepOutcome.failed(ChangesetIdentity.refusal(mismatches, searchRoot,
        liquibase.getDatabase().getDatabaseChangeLogTableName()), Map.of(), List.of());
  }

  /** The row Liquibase's tag inserts to carry a tag on an empty history; never rolled back. */
  private static boolean isInternal(RanChangeSet ran) {
    return "liquibase-internal".equals(ran.getChangeLog());
  }

  private List<RanChangeSet> ranChangeSets() throws LiquibaseException {
    return Scope.getCurrentScope().getSingleton(ChangeLogHistoryServiceFactory.class)
        .getChangeLogService(liquibase.getDatabase()).getRanChangeSets();
  }

  /** The tag on the most recently applied DATABASECHANGELOG row, or null. */
  private String existingLastTag() throws LiquibaseException {
    List<RanChangeSet> ran = ranChangeSets();
    if (ran.isEmpty()) {
      return null;
    }
    String tag = ran.get(ran.size() - 1).getTag();
    return tag == null || tag.isBlank() ? null : tag;
  }

  private String changesetError(Exception e) {
    ChangeSetOutcome failed = tracker.failed();
    if (failed == null) {
      return "Apply failed: " + Failures.describe(e);
    }
    Exception cause = tracker.failure() != null ? tracker.failure() : e;
    return "Changeset " + failed.name() + " failed: " + Failures.describe(cause)
        + halfApplied(tracker.failedStatements(), transactionalDdl && tracker.failedInTransaction());
  }

  /**
   * What a changeset that failed midway left behind: nothing where its transaction rolled back
   * (PostgreSQL), otherwise the statements that ran before the failing one.
   */
  static String halfApplied(List<String> started, boolean rolledBack) {
    int ran = started.size() - 1;
    if (ran <= 0) {
      return "";
    }
    if (rolledBack) {
      return " (statement " + started.size() + " of the changeset failed; the " + ran
          + " before it were rolled back with it: nothing of this changeset stays applied)";
    }
    StringBuilder sb = new StringBuilder(" | Half-applied: statement ").append(started.size())
        .append(" failed after ").append(ran).append(" statement(s) ran; DDL commits at once on this database"
            + " (or the changeset has runInTransaction=false), so these may stay applied: ");
    for (int i = 0; i < ran; i++) {
      String sql = Failures.oneLine(started.get(i));
      sb.append(i == 0 ? "" : "; ").append('[').append(i + 1).append("] ")
          .append(sql.length() > 200 ? sql.substring(0, 200) + "..." : sql);
    }
    return sb.append(". The changeset is not recorded: undo these by hand (or make the changeset idempotent)"
        + " before running it again.").toString();
  }

  private static List<ChangeSetOutcome> pendingRecords(List<ChangeSet> pending) {
    return pending.stream().map(cs -> ChangeSetTracker.record(cs, "PENDING", 0, 0)).toList();
  }
}
