package io.dbops.step.liquibase;

import io.dbops.step.history.HistoryEntry;
import io.dbops.step.history.HistoryOutput;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import liquibase.Scope;
import liquibase.changelog.ChangeLogHistoryServiceFactory;
import liquibase.changelog.RanChangeSet;
import liquibase.database.Database;
import liquibase.exception.DatabaseException;
import liquibase.snapshot.SnapshotGeneratorFactory;

/**
 * HISTORY: the changesets DATABASECHANGELOG records, in the order they ran (Liquibase's own read:
 * DATEEXECUTED, then ORDEREXECUTED), as log lines, a JSON {@code history} output and one record per
 * row. Reads only; takes no lock; creates no table. One per step.
 */
final class HistoryRunner {
  private final MaskingLog log;

  HistoryRunner(MaskingLog log) {
    this.log = log;
  }

  StepOutcome run(Database database) throws DatabaseException {
    List<HistoryEntry> entries = read(database, false);
    if (entries.isEmpty()) {
      log.info("No changesets recorded: " + database.getDatabaseChangeLogTableName() + " is empty or does not exist.");
    } else {
      log.info(entries.size() + " changeset(s) recorded in " + database.getDatabaseChangeLogTableName()
          + ", oldest first:");
      entries.forEach(e -> log.info(line(e)));
    }
    Map<String, String> outputs = new LinkedHashMap<>();
    outputs.put("count", Integer.toString(entries.size()));
    HistoryOutput.put(outputs, entries);
    List<ChangeSetOutcome> records = entries.stream()
        .map(e -> new ChangeSetOutcome(e.id(), e.author(), e.file(), e.execType(), 0, 0)).toList();
    return StepOutcome.succeeded(outputs, records);
  }

  /**
   * The rows of the history table, oldest first; empty when it does not exist. With {@code fresh},
   * Liquibase's cached read is dropped first (after a step that wrote rows), so this reads the
   * table again on the step's own connection.
   */
  static List<HistoryEntry> read(Database database, boolean fresh) throws DatabaseException {
    List<HistoryEntry> entries = new ArrayList<>();
    if (hasHistoryTable(database)) {
      var service = Scope.getCurrentScope().getSingleton(ChangeLogHistoryServiceFactory.class)
          .getChangeLogService(database);
      if (fresh) {
        service.reset();
      }
      for (RanChangeSet r : service.getRanChangeSets()) {
        entries.add(new HistoryEntry(r.getId(), r.getAuthor(), r.getChangeLog(),
            HistoryEntry.formatDate(r.getDateExecuted()), r.getOrderExecuted() == null ? 0 : r.getOrderExecuted(),
            r.getExecType() == null ? "" : r.getExecType().name(), r.getTag(), r.getDeploymentId(),
            r.getLastCheckSum() == null ? "" : r.getLastCheckSum().toString()));
      }
    }
    return entries;
  }

  /** "   3  2026-11-24T16:24:00.123  EXECUTED  db/c.sql::3::alice  tag=v1  deployment=..  checksum=9:.." */
  static String line(HistoryEntry e) {
    return String.format("%4d  %-23s  %-8s  %s%s  deployment=%s  checksum=%s", e.orderExecuted(), e.dateExecuted(),
        e.execType(), e.name(), e.tag().isEmpty() ? "" : "  tag=" + e.tag(), e.deploymentId(), e.checksum());
  }

  private static boolean hasHistoryTable(Database database) throws DatabaseException {
    // Non-JDBC databases (MongoDB) have no table snapshot; their history service reports none itself.
    return !(database.getConnection() instanceof liquibase.database.jvm.JdbcConnection)
        || SnapshotGeneratorFactory.getInstance().hasDatabaseChangeLogTable(database);
  }
}
