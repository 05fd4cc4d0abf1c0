package io.dbops.step.liquibase;

import io.dbops.pipeline.LiquibaseNames;
import java.util.ArrayList;
import java.util.List;
import liquibase.database.Database;

/**
 * A target's Liquibase table and schema names, named like Liquibase's own settings; each empty for
 * Liquibase's default. Every kind's Liquibase database gets them ({@link #applyTo}), and with them
 * everything dbops does beside Liquibase (the session lock's key, the stale lock row check, the
 * atomic history row, the no-op memo, drift's list of tables to ignore), which all read the names
 * from that database. Immutable.
 *
 * @param databaseChangelogTableName the history table; empty: DATABASECHANGELOG
 * @param databaseChangelogLockTableName the lock table; empty: DATABASECHANGELOGLOCK
 * @param defaultSchemaName the schema (MySQL/MariaDB: database) of the changesets' objects; empty:
 *     the connection's
 * @param liquibaseSchemaName the schema of the history and lock tables; empty: the default schema
 */
public record LiquibaseTables(String databaseChangelogTableName, String databaseChangelogLockTableName,
    String defaultSchemaName, String liquibaseSchemaName) {

  /** Liquibase's defaults. */
  public static final LiquibaseTables DEFAULTS = new LiquibaseTables("", "", "", "");

  public LiquibaseTables {
    databaseChangelogTableName = nz(databaseChangelogTableName);
    databaseChangelogLockTableName = nz(databaseChangelogLockTableName);
    defaultSchemaName = nz(defaultSchemaName);
    liquibaseSchemaName = nz(liquibaseSchemaName);
  }

  /** True when every name is Liquibase's default. */
  public boolean isDefault() {
    return equals(DEFAULTS);
  }

  /** True when a schema is set: Liquibase may change the session's schema (PostgreSQL's search_path). */
  boolean setsSchema() {
    return !defaultSchemaName.isEmpty() || !liquibaseSchemaName.isEmpty();
  }

  /**
   * Every problem with the names ({@link LiquibaseNames}), each naming the field as {@code prefix}
   * plus the field's name in {@code style}: the request's snake_case or the CLI's options.
   */
  public List<String> problems(String prefix, boolean options) {
    List<String> problems = new ArrayList<>();
    add(problems, prefix, options ? "--database-changelog-table-name" : "database_changelog_table_name",
        databaseChangelogTableName);
    add(problems, prefix, options ? "--database-changelog-lock-table-name" : "database_changelog_lock_table_name",
        databaseChangelogLockTableName);
    add(problems, prefix, options ? "--default-schema-name" : "default_schema_name", defaultSchemaName);
    add(problems, prefix, options ? "--liquibase-schema-name" : "liquibase_schema_name", liquibaseSchemaName);
    return problems;
  }

  private static void add(List<String> problems, String prefix, String field, String value) {
    String problem = LiquibaseNames.problem(prefix + field, value);
    if (problem != null) {
      problems.add(problem);
    }
  }

  /** Sets the names on a Liquibase database (JDBC or MongoDB) before it reads or writes anything. */
  void applyTo(Database database) throws liquibase.exception.DatabaseException {
    if (!databaseChangelogTableName.isEmpty()) {
      database.setDatabaseChangeLogTableName(databaseChangelogTableName);
    }
    if (!databaseChangelogLockTableName.isEmpty()) {
      database.setDatabaseChangeLogLockTableName(databaseChangelogLockTableName);
    }
    if (!defaultSchemaName.isEmpty()) {
      database.setDefaultSchemaName(defaultSchemaName);
    }
    if (!liquibaseSchemaName.isEmpty()) {
      database.setLiquibaseSchemaName(liquibaseSchemaName);
    }
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }
}
