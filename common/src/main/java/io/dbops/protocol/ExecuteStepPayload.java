package io.dbops.protocol;

import java.util.Map;

/**
 * Payload of an {@link TaskTypes#EXECUTE_STEP} task.
 *
 * @param liteEngineAddress host:port of the pod's lite engine, from the init task's output
 * @param stepPort port of the step container that runs this step
 * @param step what to run
 * @param logStream where the step's output goes
 */
public record ExecuteStepPayload(
    String executionId,
    String stageName,
    String stepName,
    String podName,
    String liteEngineAddress,
    int stepPort,
    StepSpec step,
    LogStreamRef logStream) {

  /**
   * A database step, as the pipeline describes it.
   *
   * @param kind apply, preview, rollback, status, validate, tag, sync, drift or policy
   * @param changelog changelog path, relative to searchPath when set
   * @param passwordEnv name of the step container's environment variable holding the password
   * @param nextOnly sync: only the next pending changeset
   * @param failOnDrift drift: fail when the live schema differs
   * @param policyFile policy: rule file relative to searchPath; null for the built-in rules only
   * @param rollback preview: render a rollback's SQL (to tag, of count, or of everything) instead
   * @param git clone: what to clone; null for every other kind
   * @param tables history and lock table names and schemas; null for Liquibase's defaults
   * @param approvedSqlHash apply: the hash of the pending update SQL an approval was given for (a
   *     preview's {@code sqlHash} output); the apply refuses when the pending SQL hashes otherwise;
   *     null when no approval binds the step
   * @param requireReversible apply: refuse before anything runs when a pending changeset cannot be
   *     rolled back (a stage with {@code onFailure: rollback})
   */
  public record StepSpec(
      String kind,
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
      GitSpec git,
      Tables tables,
      String approvedSqlHash,
      boolean requireReversible) {
    public StepSpec {
      parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
    }

    /** A step spec with Liquibase's default tables and no approval or reversibility guard. */
    public StepSpec(String kind, String changelog, String searchPath, String jdbcUrl, String username,
        String passwordEnv, String contexts, String labels, String tag, int count,
        Map<String, String> parameters, String preTagPrefix, boolean nextOnly, boolean failOnDrift,
        String policyFile, boolean rollback, GitSpec git) {
      this(kind, changelog, searchPath, jdbcUrl, username, passwordEnv, contexts, labels, tag, count,
          parameters, preTagPrefix, nextOnly, failOnDrift, policyFile, rollback, git, null, null, false);
    }

    /** A step spec without the rollback-preview and clone options. */
    public StepSpec(String kind, String changelog, String searchPath, String jdbcUrl, String username,
        String passwordEnv, String contexts, String labels, String tag, int count,
        Map<String, String> parameters, String preTagPrefix, boolean nextOnly, boolean failOnDrift,
        String policyFile) {
      this(kind, changelog, searchPath, jdbcUrl, username, passwordEnv, contexts, labels, tag, count,
          parameters, preTagPrefix, nextOnly, failOnDrift, policyFile, false, null);
    }

    /** A step spec without the sync, drift and policy options. */
    public StepSpec(String kind, String changelog, String searchPath, String jdbcUrl, String username,
        String passwordEnv, String contexts, String labels, String tag, int count,
        Map<String, String> parameters, String preTagPrefix) {
      this(kind, changelog, searchPath, jdbcUrl, username, passwordEnv, contexts, labels, tag, count,
          parameters, preTagPrefix, false, false, null);
    }
  }

  /**
   * Liquibase's history and lock tables of a target, named like Liquibase's own settings; each null
   * for Liquibase's default.
   */
  public record Tables(
      String databaseChangelogTableName, String databaseChangelogLockTableName,
      String defaultSchemaName, String liquibaseSchemaName) {}

  /**
   * What a clone step fetches.
   *
   * @param repo repository URL (https, http, git or file), never with a password
   * @param ref branch, tag or commit; null for the default branch
   * @param into directory to clone into, relative to the step's searchPath
   * @param depth commits to fetch; 0 for the full history
   * @param username git user; null for the step container's default
   * @param passwordEnv the step container's variable holding the password or token; null for none
   */
  public record GitSpec(String repo, String ref, String into, int depth, String username, String passwordEnv) {}

  /**
   * A stream of the control plane's log service.
   *
   * @param token bearer token allowing appends to this stream only; never logged
   */
  public record LogStreamRef(String serviceUrl, String key, String token) {
    @Override
    public String toString() {
      return "LogStreamRef[serviceUrl=" + serviceUrl + ", key=" + key + ", token=***]";
    }
  }
}
