package io.dbops.step.liquibase;

import io.dbops.step.git.GitSource;
import java.util.Map;
import java.util.Objects;

/**
 * One step to run, converted from the gRPC request at the edge. Immutable.
 *
 * @param searchPath directory the changelog is resolved against; empty = the changelog's own
 *     directory
 * @param passwordEnv name of the environment variable holding the password; empty = none
 * @param count for ROLLBACK without a tag: changesets to roll back; 0 = unset
 * @param preTagPrefix prefix of the pre-start rollback tag; empty = "dbops-pre"
 * @param nextOnly for SYNC: mark only the next pending changeset as applied
 * @param failOnDrift for DRIFT: fail the step when the schema drifted
 * @param policyFile for POLICY: YAML rule file relative to the search root; empty = built-in rules
 *     only
 * @param rollback for PREVIEW: render the SQL of a rollback (to {@code tag}, of {@code count}
 *     changesets, or of the pending changesets when neither is set) instead of an apply's
 * @param git for CLONE: the repository to fetch; {@link GitSource#NONE} for every other kind
 * @param tables the target's Liquibase table and schema names; {@link LiquibaseTables#DEFAULTS}
 *     for Liquibase's
 * @param approvedSqlHash for APPLY: the PREVIEW {@code sqlHash} an approval was given for; the
 *     apply refuses before anything runs when the pending SQL hashes otherwise ({@link
 *     ApprovedSql}); empty = no approval binds the step
 * @param requireReversible for APPLY: refuse before anything runs when a pending changeset cannot be
 *     rolled back (a stage with {@code onFailure: rollback}); see {@link ReversibilityCheck}
 */
public record StepCommand(
    String stepId,
    Kind kind,
    String changelog,
    String searchPath,
    String jdbcUrl,
    String username,
    String passwordEnv,
    String contexts,
    String labels,
    String tag,
    int count,
    Map<String, String> parameters,
    String preTagPrefix,
    boolean nextOnly,
    boolean failOnDrift,
    String policyFile,
    boolean rollback,
    GitSource git,
    LiquibaseTables tables,
    String approvedSqlHash,
    boolean requireReversible) {

  /** The operations a step performs; mirrors the proto's StepKind. */
  public enum Kind { APPLY, PREVIEW, ROLLBACK, STATUS, VALIDATE, TAG, SYNC, DRIFT, POLICY, HISTORY, CLONE }

  /** A command with Liquibase's default table and schema names, no approval and no reversibility guard. */
  public StepCommand(String stepId, Kind kind, String changelog, String searchPath, String jdbcUrl, String username,
      String passwordEnv, String contexts, String labels, String tag, int count, Map<String, String> parameters,
      String preTagPrefix, boolean nextOnly, boolean failOnDrift, String policyFile, boolean rollback,
      GitSource git) {
    this(stepId, kind, changelog, searchPath, jdbcUrl, username, passwordEnv, contexts, labels, tag, count,
        parameters, preTagPrefix, nextOnly, failOnDrift, policyFile, rollback, git, LiquibaseTables.DEFAULTS,
        "", false);
  }

  /** A database command without the SYNC/DRIFT/POLICY/rollback-preview options (all off/empty). */
  public StepCommand(String stepId, Kind kind, String changelog, String searchPath, String jdbcUrl, String username,
      String passwordEnv, String contexts, String labels, String tag, int count, Map<String, String> parameters,
      String preTagPrefix) {
    this(stepId, kind, changelog, searchPath, jdbcUrl, username, passwordEnv, contexts, labels, tag, count, parameters,
        preTagPrefix, false, false, "", false, GitSource.NONE);
  }

  /** A CLONE command: only the git source and the directory relative paths resolve against. */
  public static StepCommand clone(String stepId, GitSource git, String searchPath) {
    return new StepCommand(stepId, Kind.CLONE, "", searchPath, "", "", "", "", "", "", 0, Map.of(), "", false,
        false, "", false, git);
  }

  public StepCommand {
    Objects.requireNonNull(stepId, "stepId");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(changelog, "changelog");
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    searchPath = nullToEmpty(searchPath);
    username = nullToEmpty(username);
    passwordEnv = nullToEmpty(passwordEnv);
    contexts = nullToEmpty(contexts);
    labels = nullToEmpty(labels);
    tag = nullToEmpty(tag);
    parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
    preTagPrefix = preTagPrefix == null || preTagPrefix.isBlank() ? "dbops-pre" : preTagPrefix;
    policyFile = nullToEmpty(policyFile);
    git = git == null ? GitSource.NONE : git;
    tables = tables == null ? LiquibaseTables.DEFAULTS : tables;
    approvedSqlHash = nullToEmpty(approvedSqlHash);
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
