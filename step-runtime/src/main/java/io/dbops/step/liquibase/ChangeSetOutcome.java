package io.dbops.step.liquibase;

/**
 * One changeset a step touched.
 *
 * @param state EXECUTED, FAILED, PENDING, ROLLED_BACK or SKIPPED
 * @param statements SQL statements the changeset generated; 0 when unknown
 */
public record ChangeSetOutcome(
    String id, String author, String file, String state, long durationMillis, int statements) {

  /** "file::id::author", the way Liquibase names a changeset. */
  public String name() {
    return file + "::" + id + "::" + author;
  }
}
