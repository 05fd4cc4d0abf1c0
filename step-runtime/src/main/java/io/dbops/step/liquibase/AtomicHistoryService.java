package io.dbops.step.liquibase;

import java.lang.reflect.Field;
import java.util.List;
import liquibase.Scope;
import liquibase.changelog.ChangeSet;
import liquibase.changelog.RanChangeSet;
import liquibase.changelog.StandardChangeLogHistoryService;
import liquibase.changelog.column.LiquibaseColumn;
import liquibase.database.Database;
import liquibase.database.core.PostgresDatabase;
import liquibase.exception.DatabaseException;
import liquibase.executor.Executor;
import liquibase.executor.ExecutorService;
import liquibase.executor.jvm.JdbcExecutor;
import liquibase.sql.Sql;
import liquibase.sqlgenerator.core.MarkChangeSetRanGenerator;
import liquibase.statement.core.MarkChangeSetRanStatement;

/**
 * Liquibase's standard DATABASECHANGELOG service, made to write a changeset's history row in the
 * changeset's own transaction (see {@link TransactionGate}). Registered through
 * META-INF/services; it only applies inside a dbops step (the step's scope carries a gate for the
 * database), so plain Liquibase in the same JVM keeps its standard behaviour.
 *
 * <p>On PostgreSQL, an executed changeset's row is written with the same SQL Liquibase generates
 * but sent together with the commit ({@link TransactionGate#commitWithHistory}), and added to the
 * history Liquibase keeps in memory exactly as Liquibase itself would; every other case goes
 * through Liquibase's own code.
 */
public final class AtomicHistoryService extends StandardChangeLogHistoryService {
  private static final MarkChangeSetRanGenerator HISTORY_ROW = new MarkChangeSetRanGenerator();
  /** Liquibase's in-memory history (private in 4.33); null if a future version renamed it. */
  private static final Field RAN_CHANGE_SETS = ranChangeSetField();

  /** Liquibase instantiates history services reflectively. */
  public AtomicHistoryService() {}

  @Override
  public int getPriority() {
    return PRIORITY_DATABASE;
  }

  @Override
  public boolean supports(Database database) {
    TransactionGate gate = TransactionGate.current();
    return gate != null && database != null && database.getConnection() == gate && super.supports(database);
  }

  @Override
  public void setExecType(ChangeSet changeSet, ChangeSet.ExecType execType) throws DatabaseException {
    TransactionGate gate = gate();
    if (execType == ChangeSet.ExecType.EXECUTED && gate.holdsChangeSetTransaction()
        && getDatabase() instanceof PostgresDatabase && RAN_CHANGE_SETS != null && executesForReal()) {
      commitWithHistoryRow(gate, changeSet, execType);
      return;
    }
    gate.historyWriting();
    super.setExecType(changeSet, execType);
    if (executesForReal()) {
      gate.wroteSynchronously();
    }
  }

  /**
   * Whether Liquibase's statements currently go to the database: a preview (update with SQL output)
   * swaps in a logging executor, which must get the history INSERT as text like everything else.
   */
  private boolean executesForReal() {
    Executor executor = Scope.getCurrentScope().getSingleton(ExecutorService.class).getExecutor("jdbc", getDatabase());
    return executor instanceof JdbcExecutor;
  }

  /** What Liquibase's setExecType does, with the INSERT and the COMMIT in one round trip. */
  private void commitWithHistoryRow(TransactionGate gate, ChangeSet changeSet, ChangeSet.ExecType execType)
      throws DatabaseException {
    Database database = getDatabase();
    Sql[] sql = HISTORY_ROW.generateSql(new MarkChangeSetRanStatement(changeSet, execType), database, null);
    String[] statements = new String[sql.length];
    for (int i = 0; i < sql.length; i++) {
      statements[i] = sql[i].toSql();
    }
    gate.commitWithHistory(statements, sameValuesUpdate(database, changeSet));
    ranChangeSets().add(new RanChangeSet(changeSet, execType, null, null));
  }

  /** UPDATE of the changeset's row to the values it has: a write whose commit flushes the log. */
  private String sameValuesUpdate(Database database, ChangeSet changeSet) {
    String execType = column(database, "EXECTYPE");
    return "UPDATE " + database.escapeTableName(getLiquibaseCatalogName(), getLiquibaseSchemaName(),
        getDatabaseChangeLogTableName()) + " SET " + execType + " = " + execType
        + " WHERE " + column(database, "ID") + " = " + literal(database, changeSet.getId())
        + " AND " + column(database, "AUTHOR") + " = " + literal(database, changeSet.getAuthor())
        + " AND " + column(database, "FILENAME") + " = " + literal(database, changeSet.getFilePath());
  }

  private static String column(Database database, String name) {
    return database.escapeObjectName(name, LiquibaseColumn.class);
  }

  private static String literal(Database database, String value) {
    return "'" + database.escapeStringForDatabase(value) + "'";
  }

  @SuppressWarnings("unchecked")
  private List<RanChangeSet> ranChangeSets() throws DatabaseException {
    getRanChangeSets(); // loads the list if Liquibase has not yet
    try {
      return (List<RanChangeSet>) RAN_CHANGE_SETS.get(this);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Field ranChangeSetField() {
    try {
      Field field = StandardChangeLogHistoryService.class.getDeclaredField("ranChangeSetList");
      field.setAccessible(true);
      return field.getType() == List.class ? field : null;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  @Override
  public void removeFromHistory(ChangeSet changeSet) throws DatabaseException {
    gate().historyWriting();
    super.removeFromHistory(changeSet);
    if (executesForReal()) {
      gate().wroteSynchronously();
    }
  }

  private TransactionGate gate() {
    return (TransactionGate) getDatabase().getConnection();
  }
}
