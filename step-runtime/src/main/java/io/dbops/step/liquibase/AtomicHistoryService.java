package io.dbops.step.liquibase;

import liquibase.changelog.ChangeSet;
import liquibase.changelog.StandardChangeLogHistoryService;
import liquibase.database.Database;
import liquibase.exception.DatabaseException;

/**
 * Liquibase's standard DATABASECHANGELOG service, made to write a changeset's history row in the
 * changeset's own transaction (see {@link TransactionGate}). Registered through
 * META-INF/services; it only applies inside a dbops step (the step's scope carries a gate for the
 * database), so plain Liquibase in the same JVM keeps its standard behaviour.
 */
public final class AtomicHistoryService extends StandardChangeLogHistoryService {
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
    gate().historyWriting();
    super.setExecType(changeSet, execType);
  }

  @Override
  public void removeFromHistory(ChangeSet changeSet) throws DatabaseException {
    gate().historyWriting();
    super.removeFromHistory(changeSet);
  }

  private TransactionGate gate() {
    return (TransactionGate) getDatabase().getConnection();
  }
}
