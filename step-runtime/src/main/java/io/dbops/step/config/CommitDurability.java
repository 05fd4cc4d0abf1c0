package io.dbops.step.config;

/**
 * When a PostgreSQL apply waits for its commits to be durable ({@code DBOPS_STEP_DURABILITY}).
 * Either way each changeset and its history row commit atomically, and the step reports only after
 * everything it applied is durable.
 */
public enum CommitDurability {
  /**
   * Changeset transactions commit with {@code synchronous_commit = off} (for that transaction only)
   * and the step makes them durable once, before it reports: one WAL flush per step instead of one
   * per changeset. A database server crash during the step can undo the last changesets, each
   * whole with its history row, so the next apply runs them again exactly once.
   */
  STEP,
  /** Every changeset's commit waits for its WAL flush (and replicas), as plain Liquibase does. */
  CHANGESET;

  /** Parses {@code step} or {@code changeset}, case-insensitively; null if neither. */
  static CommitDurability parse(String value) {
    for (CommitDurability durability : values()) {
      if (durability.name().equalsIgnoreCase(value.trim())) {
        return durability;
      }
    }
    return null;
  }
}
