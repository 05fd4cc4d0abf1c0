/**
 * Runs database steps with Liquibase. One package on purpose: its classes share package-private
 * seams (the step's connection, lock and scope) that a split would have to make public. The map,
 * by seam:
 *
 * <ul>
 *   <li><b>Entry and contract</b>: {@link io.dbops.step.liquibase.LiquibaseStepRunner} (one step:
 *       locate the changelog, open the step's session, check change types, run the kind, clean
 *       up), {@link io.dbops.step.liquibase.StepCommand}, {@link io.dbops.step.liquibase.StepOutcome},
 *       {@link io.dbops.step.liquibase.ChangeSetOutcome}, {@link io.dbops.step.liquibase.StepLog},
 *       {@link io.dbops.step.liquibase.StepControl} (stop from another thread), {@code ChangelogLocation},
 *       {@link io.dbops.step.liquibase.LiquibaseTables} (the target's history and lock table and schema
 *       names, set on every kind's Liquibase database; everything below reads them from there).
 *   <li><b>Identity</b>: {@code ChangesetIdentity} (a changeset the history records under another
 *       path: the step is refused, naming the search path that reconciles it).
 *   <li><b>Kinds</b>: {@code KindRunner} (dispatch, APPLY, PREVIEW, STATUS, VALIDATE, TAG, SYNC,
 *       ROLLBACK; its inputs are one {@code KindParts}), {@code PolicyRunner}, {@code
 *       DriftRunner}, {@code HistoryRunner}, {@code RollbackPreview}, {@code MongoStepRunner}, {@code ApprovedSql} (the
 *       SQL hash a PREVIEW outputs and an approved APPLY checks).
 *   <li><b>Lock</b>: {@code StepLock} (session-scoped change lock), {@code LockDialects} (PostgreSQL
 *       advisory locks, MySQL/MariaDB GET_LOCK), {@code SessionLockService} (Liquibase's lock
 *       service extension point).
 *   <li><b>Commit and history</b>: {@code TransactionGate} (the step's connection: changeset and
 *       history row in one transaction, asynchronous commits), {@code AtomicHistoryService}, {@code
 *       StepPostgresDatabase}, {@code SearchPathWatch}.
 *   <li><b>Output</b>: {@code ChangeSetTracker} (per-changeset lines and progress), {@code
 *       StatementRecorder} (what ran before a failure), {@code MaskingLog}, {@code StepLogService},
 *       {@code ForwardingUiService}, {@code Failures} (one sentence per failure).
 *   <li><b>Warm runtime</b>: {@code ChangelogCache} (parsed changelogs), {@code UpToDateMemo}
 *       (no-op applies), {@code FastConfigProviders}.
 * </ul>
 *
 * <p>What a changelog may do beyond the database is decided before any kind runs, by {@link
 * io.dbops.step.guard.ChangeTypeGuard}.
 */
package io.dbops.step.liquibase;
