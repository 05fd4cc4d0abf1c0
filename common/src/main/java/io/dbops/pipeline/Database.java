package io.dbops.pipeline;

import io.dbops.support.Secrets;

/**
 * The target database of a stage.
 *
 * @param url JDBC URL without a password
 * @param username may be null
 * @param passwordFrom where the delegate reads the password, for example {@code env:ORDERS_DB_PASSWORD}
 *     (the delegate's own environment); may be null for no password
 * @param databaseChangelogTableName the history table's name (Liquibase's
 *     {@code databaseChangelogTableName}); null for Liquibase's default {@code DATABASECHANGELOG}
 * @param databaseChangelogLockTableName the lock table's name; null for {@code DATABASECHANGELOGLOCK}
 * @param defaultSchemaName the schema the changesets' objects go to; null for the connection's default
 * @param liquibaseSchemaName the schema of the history and lock tables; null for the default schema
 */
public record Database(String url, String username, String passwordFrom,
    String databaseChangelogTableName, String databaseChangelogLockTableName,
    String defaultSchemaName, String liquibaseSchemaName) {

  /** A database with Liquibase's default table and schema names. */
  public Database(String url, String username, String passwordFrom) {
    this(url, username, passwordFrom, null, null, null, null);
  }

  @Override
  public String toString() {
    return "Database[url=" + Secrets.maskUrl(url) + ", username=" + username
        + ", passwordFrom=" + passwordFrom
        + (databaseChangelogTableName == null ? "" : ", databaseChangelogTableName=" + databaseChangelogTableName)
        + (databaseChangelogLockTableName == null ? ""
            : ", databaseChangelogLockTableName=" + databaseChangelogLockTableName)
        + (defaultSchemaName == null ? "" : ", defaultSchemaName=" + defaultSchemaName)
        + (liquibaseSchemaName == null ? "" : ", liquibaseSchemaName=" + liquibaseSchemaName) + "]";
  }
}
