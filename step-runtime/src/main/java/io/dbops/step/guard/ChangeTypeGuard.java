package io.dbops.step.guard;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import liquibase.change.AbstractSQLChange;
import liquibase.change.Change;
import liquibase.change.core.ExecuteShellCommandChange;
import liquibase.change.custom.CustomChangeWrapper;
import liquibase.changelog.ChangeSet;
import liquibase.changelog.DatabaseChangeLog;
import liquibase.database.Database;
import liquibase.precondition.CustomPreconditionWrapper;
import liquibase.precondition.Precondition;
import liquibase.precondition.PreconditionLogic;
import liquibase.precondition.core.SqlPrecondition;
import liquibase.sql.Sql;
import liquibase.sql.visitor.SqlVisitor;
import liquibase.sqlgenerator.SqlGeneratorFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Default deny for what a changelog may do beyond the database (contract E): refuses a parsed
 * changelog that contains an {@code executeCommand} change, a {@code customChange} (or {@code
 * customPrecondition}), or SQL that reads or writes host files (raw {@code sql}/{@code sqlFile}
 * text, the SQL Liquibase generates for every change and rollback change with the changeset's
 * {@code modifySql} applied, and {@code sqlCheck} preconditions), unless {@value
 * GuardedChangeType#SETTING} allows it. Run it after the changelog is parsed and before the lock
 * or any of the changelog's SQL. It never generates the SQL of an {@code executeCommand} or
 * {@code customChange} (generating it would run them). Thread-safe. A warm apply hands it the same
 * parsed changelog object as long as nothing under the search path changed: the verdict for that
 * object is remembered (the last {@value #REMEMBERED}), so a no-op apply does not generate SQL again.
 */
public final class ChangeTypeGuard {
  private static final Logger logger = LoggerFactory.getLogger(ChangeTypeGuard.class);
  private static final String FILE_SQL = "SQL that reads or writes host files";

  static final int REMEMBERED = 16;

  private final Set<GuardedChangeType> allowed;
  /** Verdicts by changelog object identity ("" = allowed), least recently used first. */
  private final Map<Identity, String> verdicts = new LinkedHashMap<>(REMEMBERED, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Identity, String> eldest) {
      return size() > REMEMBERED;
    }
  };

  /** A changelog compared by identity: Liquibase's equals compares paths only. */
  private record Identity(DatabaseChangeLog changeLog) {
    @Override
    public boolean equals(Object other) {
      return other instanceof Identity that && that.changeLog == changeLog;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(changeLog);
    }
  }

  public ChangeTypeGuard(Set<GuardedChangeType> allowed) {
    this.allowed = allowed.isEmpty() ? EnumSet.noneOf(GuardedChangeType.class) : EnumSet.copyOf(allowed);
  }

  /** Allows none of the guarded change types (the default). */
  public static ChangeTypeGuard denyAll() {
    return new ChangeTypeGuard(Set.of());
  }

  /** The allowed types (a copy). */
  public Set<GuardedChangeType> allowed() {
    return EnumSet.copyOf(allowed);
  }

  /**
   * The first refusal for {@code changeLog}, naming the changeset, what it uses, the rule and the
   * setting that would allow it; null when everything in it is allowed.
   *
   * @param database generates the SQL of the changes (inside the step's Liquibase scope)
   * @param remember whether the same changelog object comes again (a cached parse), so its verdict
   *     is worth keeping
   */
  public String check(DatabaseChangeLog changeLog, Database database, boolean remember) {
    if (!remember) {
      return checkAll(changeLog, database);
    }
    Identity key = new Identity(changeLog);
    synchronized (verdicts) {
      String known = verdicts.get(key);
      if (known != null) {
        return known.isEmpty() ? null : known;
      }
    }
    String verdict = checkAll(changeLog, database);
    synchronized (verdicts) {
      verdicts.put(key, verdict == null ? "" : verdict);
    }
    return verdict;
  }

  private String checkAll(DatabaseChangeLog changeLog, Database database) {
    String refusal = checkPrecondition("changelog " + changeLog.getPhysicalFilePath(), changeLog.getPreconditions());
    if (refusal != null) {
      return refusal;
    }
    for (ChangeSet changeSet : changeLog.getChangeSets()) {
      refusal = check(changeSet, database);
      if (refusal != null) {
        return refusal;
      }
    }
    return null;
  }

  private String check(ChangeSet changeSet, Database database) {
    String name = "changeset " + changeSet.getFilePath() + "::" + changeSet.getId() + "::" + changeSet.getAuthor();
    String refusal = checkPrecondition(name, changeSet.getPreconditions());
    if (refusal != null) {
      return refusal;
    }
    List<Change> changes = new ArrayList<>(changeSet.getChanges());
    if (changeSet.getRollback() != null) {
      changes.addAll(changeSet.getRollback().getChanges());
    }
    for (Change change : changes) {
      if (change instanceof ExecuteShellCommandChange) {
        if (!allowed.contains(GuardedChangeType.EXECUTE_COMMAND)) {
          return GuardedChangeType.EXECUTE_COMMAND.refusal(name, "executeCommand");
        }
        continue; // never generated: generating its SQL runs the program
      }
      if (change instanceof CustomChangeWrapper custom) {
        if (!allowed.contains(GuardedChangeType.CUSTOM_CHANGE)) {
          return GuardedChangeType.CUSTOM_CHANGE.refusal(name, "customChange (class " + custom.getClassName() + ")");
        }
        continue; // never generated: generating its SQL runs the class
      }
      if (!allowed.contains(GuardedChangeType.SQL_FILE_ACCESS)) {
        String found = fileAccessIn(changeSet, change, database);
        if (found != null) {
          return GuardedChangeType.SQL_FILE_ACCESS.refusal(name, FILE_SQL + " (" + found + ")");
        }
      }
    }
    return null;
  }

  private String fileAccessIn(ChangeSet changeSet, Change change, Database database) {
    if (change instanceof AbstractSQLChange raw) {
      String found = FileAccessSql.find(raw.getSql());
      if (found != null) {
        return found;
      }
    }
    Sql[] generated;
    try {
      generated = SqlGeneratorFactory.getInstance().generateSql(change, database);
    } catch (RuntimeException e) {
      // Liquibase fails the same way when it runs the change; the raw SQL was checked above.
      logger.debug("Cannot generate the SQL of {} for the change type check", change.getSerializedObjectName(), e);
      return null;
    }
    for (Sql sql : generated) {
      String text = sql.toSql();
      for (SqlVisitor visitor : changeSet.getSqlVisitors()) {
        text = visitor.modifySql(text, database); // modifySql of any dbms/context: they all might apply
      }
      String found = FileAccessSql.find(text);
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  private String checkPrecondition(String owner, Precondition precondition) {
    if (precondition == null) {
      return null;
    }
    if (precondition instanceof CustomPreconditionWrapper custom && !allowed.contains(GuardedChangeType.CUSTOM_CHANGE)) {
      return GuardedChangeType.CUSTOM_CHANGE.refusal(owner,
          "customPrecondition (class " + custom.getClassName() + ")");
    }
    if (precondition instanceof SqlPrecondition sqlCheck && !allowed.contains(GuardedChangeType.SQL_FILE_ACCESS)) {
      String found = FileAccessSql.find(sqlCheck.getSql());
      if (found != null) {
        return GuardedChangeType.SQL_FILE_ACCESS.refusal(owner,
            "a sqlCheck precondition with " + FILE_SQL + " (" + found + ")");
      }
    }
    if (precondition instanceof PreconditionLogic logic) {
      for (Precondition nested : logic.getNestedPreconditions()) {
        String refusal = checkPrecondition(owner, nested);
        if (refusal != null) {
          return refusal;
        }
      }
    }
    return null;
  }
}
