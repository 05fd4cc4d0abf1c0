package io.dbops.step.liquibase;

import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import liquibase.Contexts;
import liquibase.LabelExpression;
import liquibase.Liquibase;
import liquibase.changelog.ChangeSet;
import liquibase.changelog.DatabaseChangeLog;
import liquibase.changelog.visitor.AbstractChangeExecListener;
import liquibase.database.Database;
import liquibase.exception.LiquibaseException;

/**
 * PREVIEW with {@code rollback}: the SQL a rollback would run, rendered by Liquibase's rollback-sql
 * commands (statements go to a writer, never to the database; history-row deletes included): to
 * {@code tag}, of the last {@code count} changesets, or, with neither, of the pending changesets
 * (future-rollback-sql: what would undo the next apply). Changes nothing. One per step.
 */
@SuppressWarnings("deprecation") // the Liquibase facade is deprecated but stable across 4.x
final class RollbackPreview {
  private final StepCommand command;
  private final MaskingLog log;
  private final Contexts contexts;
  private final LabelExpression labels;

  RollbackPreview(StepCommand command, MaskingLog log) {
    this.command = command;
    this.log = log;
    this.contexts = new Contexts(command.contexts());
    this.labels = new LabelExpression(command.labels());
  }

  StepOutcome run(Liquibase liquibase) throws LiquibaseException {
    try {
      return render(liquibase);
    } catch (LiquibaseException | RuntimeException e) {
      return StepOutcome.failed("Cannot render the rollback SQL: " + Failures.describe(e) + " A rollback would fail the"
          + " same way; give the changeset a rollback (--rollback / <rollback>), or preview fewer changesets.",
          Map.of(), List.of());
    }
  }

  private StepOutcome render(Liquibase liquibase) throws LiquibaseException {
    StringWriter sql = new StringWriter();
    Plan plan = new Plan();
    // Replaces the step's tracker, which would log "Rolling back changeset" for a preview.
    liquibase.setChangeExecListener(plan);
    List<ChangeSetOutcome> changesets;
    String what;
    if (!command.tag().isEmpty()) {
      if (!liquibase.tagExists(command.tag())) {
        return StepOutcome.failed("Tag '" + command.tag() + "' is not recorded in "
            + liquibase.getDatabase().getDatabaseChangeLogTableName() + "; there is no"
            + " rollback to preview. Check the tag name (an apply's preStartTag output).", Map.of(), List.of());
      }
      what = "a rollback to tag " + command.tag();
      liquibase.rollback(command.tag(), null, contexts, labels, sql);
      changesets = plan.records();
    } else if (command.count() > 0) {
      what = "a rollback of the last " + command.count() + " changeset(s)";
      liquibase.rollback(command.count(), null, contexts, labels, sql);
      changesets = plan.records();
    } else {
      what = "the rollback of the pending changesets (what would undo the next apply)";
      List<ChangeSet> pending = liquibase.listUnrunChangeSets(contexts, labels, false);
      liquibase.futureRollbackSQL(contexts, labels, sql);
      changesets = new ArrayList<>();
      for (int i = pending.size() - 1; i >= 0; i--) { // undone newest first
        changesets.add(ChangeSetTracker.record(pending.get(i), "PENDING", 0, 0));
      }
    }
    String masked = log.mask(sql.toString());
    log.info("SQL of " + what + ", " + changesets.size() + " changeset(s); nothing was run:");
    log.info(masked);
    Map<String, String> outputs = new LinkedHashMap<>();
    outputs.put("sql", masked);
    outputs.put("rollbackChangesets", Integer.toString(changesets.size()));
    return StepOutcome.succeeded(outputs, changesets);
  }

  /** The changesets Liquibase's rollback visitor would roll back, in rollback order. */
  private static final class Plan extends AbstractChangeExecListener {
    private final List<ChangeSetOutcome> records = new ArrayList<>();

    @Override
    public void willRollback(ChangeSet changeSet, DatabaseChangeLog changeLog, Database database) {
      records.add(ChangeSetTracker.record(changeSet, "PENDING", 0, 0));
    }

    List<ChangeSetOutcome> records() {
      return List.copyOf(records);
    }
  }
}
