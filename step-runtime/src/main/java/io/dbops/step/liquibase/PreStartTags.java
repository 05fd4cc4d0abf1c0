package io.dbops.step.liquibase;

import liquibase.Scope;
import liquibase.changelog.ChangeLogHistoryServiceFactory;
import liquibase.database.Database;
import liquibase.exception.DatabaseException;
import liquibase.executor.ExecutorService;
import liquibase.statement.core.UpdateStatement;

/**
 * The rollback tag an APPLY records before it changes anything ({@code <preTagPrefix>-<time>}),
 * seen from a ROLLBACK to it. When a run's own rollback undoes its own apply (the control plane's
 * {@code onFailure: rollback}, or {@code dbops resume --rollback}), the tag the apply put on the
 * last history row goes too, so the history is exactly as before the apply. Stateless.
 */
final class PreStartTags {
  /** The prefix a step gets when the request names none; a run's own prefix is never this. */
  static final String DEFAULT_PREFIX = "dbops-pre";

  private PreStartTags() {}

  /**
   * Whether {@code tag} was recorded by an apply of the same run: the request named its own prefix
   * (pipelines send {@code dbops-pre-<execution>}) and the tag is that prefix and a time. A tag
   * the apply found already on the last row (and reused) never matches.
   */
  static boolean recordedByThisRun(String tag, String preTagPrefix) {
    return tag != null && !tag.isEmpty() && preTagPrefix != null && !DEFAULT_PREFIX.equals(preTagPrefix)
        && tag.startsWith(preTagPrefix + "-") && tag.substring(preTagPrefix.length() + 1).matches("\\d{17}");
  }

  /** Clears {@code tag} from the history rows carrying it, commits, and drops the cached history. */
  static void remove(Database database, String tag) throws DatabaseException {
    UpdateStatement untag = new UpdateStatement(database.getLiquibaseCatalogName(),
        database.getLiquibaseSchemaName(), database.getDatabaseChangeLogTableName())
        .addNewColumnValue("TAG", null)
        .setWhereClause(database.escapeObjectName("TAG", liquibase.structure.core.Column.class) + " = ?")
        .addWhereParameter(tag);
    Scope.getCurrentScope().getSingleton(ExecutorService.class).getExecutor("jdbc", database).update(untag);
    database.commit();
    Scope.getCurrentScope().getSingleton(ChangeLogHistoryServiceFactory.class).getChangeLogService(database).reset();
  }
}
