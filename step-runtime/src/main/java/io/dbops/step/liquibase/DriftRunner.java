package io.dbops.step.liquibase;

import io.dbops.step.drift.Difference;
import io.dbops.step.drift.SchemaDiff;
import io.dbops.step.drift.SchemaSnapshot;
import io.dbops.step.drift.ScratchDatabase;
import io.dbops.support.Json;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import liquibase.Scope;
import liquibase.changelog.ChangeLogHistoryServiceFactory;
import liquibase.changelog.ChangeSet;
import liquibase.changelog.DatabaseChangeLog;
import liquibase.changelog.RanChangeSet;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.core.MariaDBDatabase;
import liquibase.database.core.MySQLDatabase;
import liquibase.database.jvm.JdbcConnection;
import liquibase.executor.ExecutorService;
import liquibase.listener.SqlListener;

/**
 * DRIFT: rebuilds the schema the applied changesets should have produced in a scratch database on
 * the same server (see {@link ScratchDatabase}), by running exactly the changesets
 * DATABASECHANGELOG records as EXECUTED/RERAN, in the order they ran; then compares it with the
 * live schema through JDBC metadata. Changes nothing in the target database. One per step.
 */
final class DriftRunner {
  private final MaskingLog log;
  private final StepCommand command;
  private final ScratchDatabase.Connector connector;

  DriftRunner(StepCommand command, MaskingLog log, ScratchDatabase.Connector connector) {
    this.command = command;
    this.log = log;
    this.connector = connector;
  }

  StepOutcome run(Database database, DatabaseChangeLog changeLog, Connection live) throws Exception {
    List<RanChangeSet> ran = database.getConnection() != null && hasHistory(database)
        ? Scope.getCurrentScope().getSingleton(ChangeLogHistoryServiceFactory.class).getChangeLogService(database)
            .getRanChangeSets()
        : List.of();
    Map<String, List<ChangeSet>> byKey = new HashMap<>();
    for (ChangeSet cs : changeLog.getChangeSets()) {
      byKey.computeIfAbsent(key(cs.getFilePath(), cs.getId(), cs.getAuthor()), k -> new ArrayList<>()).add(cs);
    }
    List<String> unknown = new ArrayList<>();
    int replayed = 0;
    List<Difference> differences;
    try (ScratchDatabase scratch = ScratchDatabase.create(command.jdbcUrl(), connector)) {
      log.info("Rebuilding the expected schema from " + ran.size() + " history row(s) in scratch database "
          + scratch.name());
      prepareSchema(live, scratch.connection());
      Database scratchDb = DatabaseFactory.getInstance()
          .findCorrectDatabaseImplementation(new JdbcConnection(scratch.connection()));
      SqlListener guard = liveNameGuard(database, live);
      try {
        for (RanChangeSet r : ran) {
          // MARK_RAN/SKIPPED rows ran nothing; liquibase-internal rows are tags recorded on an empty history.
          if (r.getExecType() != ChangeSet.ExecType.EXECUTED && r.getExecType() != ChangeSet.ExecType.RERAN
              || "liquibase-internal".equals(r.getChangeLog())) {
            continue;
          }
          ChangeSet cs = pick(byKey.get(key(r.getChangeLog(), r.getId(), r.getAuthor())), r, database);
          if (cs == null) {
            unknown.add(r.getChangeLog() + "::" + r.getId() + "::" + r.getAuthor());
            continue;
          }
          try {
            Scope.child(guard, () -> cs.execute(changeLog, null, scratchDb));
          } catch (Exception e) {
            return StepOutcome.failed("Cannot rebuild the expected schema: changeset " + ChangeSetTracker.name(cs)
                + " failed on the scratch database " + scratch.name() + ": " + Failures.describe(e)
                + ". DRIFT needs every applied changeset to run on an empty database.", Map.of(), List.of());
          }
          replayed++;
        }
      } finally {
        Scope.getCurrentScope().getSingleton(ExecutorService.class).clearExecutor("jdbc", scratchDb);
      }
      differences = SchemaDiff.compare(SchemaSnapshot.read(scratch.connection()),
          SchemaSnapshot.read(live, liquibaseTables(database)));
    }
    for (String u : unknown) {
      log.warn("History row " + u + " has no changeset in " + command.changelog()
          + ": its effect cannot be rebuilt, so objects it created may be reported as extra.");
    }
    for (Difference d : differences) {
      log.warn("Drift: " + d.describe());
    }
    Map<String, String> outputs = new LinkedHashMap<>();
    outputs.put("driftCount", Integer.toString(differences.size()));
    outputs.put("drift", Json.write(differences));
    outputs.put("replayedChangesets", Integer.toString(replayed));
    outputs.put("unknownHistoryRows", Integer.toString(unknown.size()));
    if (differences.isEmpty()) {
      log.info("No drift: the live schema matches the " + replayed + " applied changeset(s).");
      return StepOutcome.succeeded(outputs, List.of());
    }
    String summary = differences.size() + " difference(s) between the live schema and the " + replayed
        + " applied changeset(s): " + differences.get(0).describe() + (differences.size() > 1 ? "; ..." : "");
    if (command.failOnDrift()) {
      return StepOutcome.failed("Schema drift: " + summary + " (see the drift output)", outputs, List.of());
    }
    log.info("Schema drift: " + summary);
    return StepOutcome.succeeded(outputs, List.of());
  }

  /** Liquibase's tables as this target names them (and the defaults, which the scratch copy has). */
  private static java.util.Set<String> liquibaseTables(Database database) {
    java.util.Set<String> names = new java.util.HashSet<>(SchemaSnapshot.LIQUIBASE_TABLES);
    names.add(database.getDatabaseChangeLogTableName().toLowerCase(Locale.ROOT));
    names.add(database.getDatabaseChangeLogLockTableName().toLowerCase(Locale.ROOT));
    return names;
  }

  private static boolean hasHistory(Database database) {
    try {
      return liquibase.snapshot.SnapshotGeneratorFactory.getInstance().hasDatabaseChangeLogTable(database);
    } catch (liquibase.exception.DatabaseException | RuntimeException e) {
      return false;
    }
  }

  /** A PostgreSQL scratch database starts with only "public"; create the live session's schema. */
  private static void prepareSchema(Connection live, Connection scratch) throws SQLException {
    String schema = live.getSchema();
    if (schema == null || !live.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT).contains("postgres")
        || schema.equalsIgnoreCase(scratch.getSchema())) {
      return;
    }
    try (Statement s = scratch.createStatement()) {
      s.execute("CREATE SCHEMA IF NOT EXISTS \"" + schema.replace("\"", "\"\"") + "\"");
      s.execute("SET search_path TO \"" + schema.replace("\"", "\"\"") + "\"");
    }
  }

  /**
   * On MariaDB/MySQL one server holds both databases, so a changeset that names the live database
   * ({@code orders.person}) would change it: refuse such statements on the scratch database.
   */
  private static SqlListener liveNameGuard(Database database, Connection live) throws SQLException {
    String catalog = live.getCatalog();
    if (!(database instanceof MySQLDatabase || database instanceof MariaDBDatabase) || catalog == null
        || catalog.isEmpty()) {
      return new SqlListener() {};
    }
    Pattern ref = Pattern.compile("(?<![\\w$])`?" + Pattern.quote(catalog) + "`?\\s*\\.", Pattern.CASE_INSENSITIVE);
    return new SqlListener() {
      @Override
      public void writeSqlWillRun(String sql) {
        if (sql != null && ref.matcher(sql).find()) {
          throw new IllegalStateException("a statement names the live database '" + catalog
              + "' explicitly, so it would change the live database instead of the scratch one; it was not run: "
              + Failures.oneLine(sql));
        }
      }
    };
  }

  /**
   * The changeset a history row records. A changelog may hold several changesets with one
   * file::id::author, told apart by context or dbms (Apache Fineract does): the one whose checksum
   * is the recorded one wins, else the one for this database, else the first.
   */
  private ChangeSet pick(List<ChangeSet> candidates, RanChangeSet ran, Database database) {
    if (candidates == null || candidates.isEmpty()) {
      return null;
    }
    if (candidates.size() == 1) {
      return candidates.get(0);
    }
    if (ran.getLastCheckSum() != null) {
      for (ChangeSet cs : candidates) {
        try {
          if (cs.generateCheckSum(liquibase.ChecksumVersion.enumFromChecksumVersion(ran.getLastCheckSum().getVersion()))
              .equals(ran.getLastCheckSum())) {
            return cs;
          }
        } catch (RuntimeException e) {
          // A changeset whose checksum cannot be computed cannot be the recorded one.
        }
      }
    }
    liquibase.changelog.filter.DbmsChangeSetFilter dbms = new liquibase.changelog.filter.DbmsChangeSetFilter(database);
    liquibase.changelog.filter.ContextChangeSetFilter contexts =
        new liquibase.changelog.filter.ContextChangeSetFilter(new liquibase.Contexts(command.contexts()));
    for (ChangeSet cs : candidates) {
      if (dbms.accepts(cs).isAccepted() && contexts.accepts(cs).isAccepted()) {
        return cs;
      }
    }
    return candidates.get(0);
  }

  private static String key(String path, String id, String author) {
    return DatabaseChangeLog.normalizePath(path) + "::" + id + "::" + author;
  }
}
