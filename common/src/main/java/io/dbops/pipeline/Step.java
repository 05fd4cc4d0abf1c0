package io.dbops.pipeline;

import java.util.Map;

/**
 * One database step.
 *
 * @param type apply, preview, rollback, status, validate, tag, sync, drift, policy, history or clone
 * @param changelog path of the changelog, relative to {@code searchPath}; null for clone, optional
 *     for history
 * @param searchPath absolute directory the changelog is resolved against; filled in by
 *     {@link PipelineLoader} from the pipeline file's location
 * @param count for rollback: how many changesets; null when rolling back to a tag
 * @param timeoutSeconds the most the step may run; null means the default (1800)
 * @param nextOnly for sync: mark only the next pending changeset as applied; null means all
 * @param failOnDrift for drift: fail the step when the live schema differs; null means report only
 * @param policyFile for policy: a rule file relative to {@code searchPath}; null means the built-in
 *     rules only
 * @param rollback for preview: render the SQL of a rollback (to {@code tag}, of {@code count}
 *     changesets, or of the pending ones) instead of an apply's; null means false
 * @param repo for clone: the repository URL (https, http, git or file), without a password
 * @param ref for clone: branch, tag or commit id; null means the repository's default branch
 * @param into for clone: the directory to clone into, relative to {@code searchPath}
 * @param depth for clone: fetch only the last N commits; null means the full history
 * @param username for clone: the git user; null means the delegate's default
 * @param passwordFrom for clone: where the delegate reads the git password or token, for example
 *     {@code env:GIT_TOKEN} (like {@link Database#passwordFrom()}); null means anonymous
 * @param resources requests and limits of the step's container; null for the runtime's defaults
 * @param approval for approval: who must approve and how long the step waits; null for the
 *     environment's rule, or one approval by an approver when the environment has none
 */
public record Step(
    String name,
    String type,
    String changelog,
    String searchPath,
    String contexts,
    String labels,
    String tag,
    Integer count,
    Map<String, String> parameters,
    Integer timeoutSeconds,
    Boolean nextOnly,
    Boolean failOnDrift,
    String policyFile,
    Boolean rollback,
    String repo,
    String ref,
    String into,
    Integer depth,
    String username,
    String passwordFrom,
    StepResources resources,
    ApprovalRule approval) {
  public Step {
    parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
  }

  /** A step without an approval rule. */
  public Step(String name, String type, String changelog, String searchPath, String contexts,
      String labels, String tag, Integer count, Map<String, String> parameters, Integer timeoutSeconds,
      Boolean nextOnly, Boolean failOnDrift, String policyFile, Boolean rollback, String repo, String ref,
      String into, Integer depth, String username, String passwordFrom, StepResources resources) {
    this(name, type, changelog, searchPath, contexts, labels, tag, count, parameters, timeoutSeconds,
        nextOnly, failOnDrift, policyFile, rollback, repo, ref, into, depth, username, passwordFrom,
        resources, null);
  }

  /** A step without resources. */
  public Step(String name, String type, String changelog, String searchPath, String contexts,
      String labels, String tag, Integer count, Map<String, String> parameters, Integer timeoutSeconds,
      Boolean nextOnly, Boolean failOnDrift, String policyFile, Boolean rollback, String repo, String ref,
      String into, Integer depth, String username, String passwordFrom) {
    this(name, type, changelog, searchPath, contexts, labels, tag, count, parameters, timeoutSeconds,
        nextOnly, failOnDrift, policyFile, rollback, repo, ref, into, depth, username, passwordFrom, null);
  }

  /** A step without the sync, drift, policy, rollback-preview and clone options. */
  public Step(String name, String type, String changelog, String searchPath, String contexts,
      String labels, String tag, Integer count, Map<String, String> parameters, Integer timeoutSeconds) {
    this(name, type, changelog, searchPath, contexts, labels, tag, count, parameters, timeoutSeconds,
        null, null, null);
  }

  /** A step without the rollback-preview and clone options. */
  public Step(String name, String type, String changelog, String searchPath, String contexts,
      String labels, String tag, Integer count, Map<String, String> parameters, Integer timeoutSeconds,
      Boolean nextOnly, Boolean failOnDrift, String policyFile) {
    this(name, type, changelog, searchPath, contexts, labels, tag, count, parameters, timeoutSeconds,
        nextOnly, failOnDrift, policyFile, null, null, null, null, null, null, null);
  }

  public Step withSearchPath(String newSearchPath) {
    return new Step(name, type, changelog, newSearchPath, contexts, labels, tag, count, parameters,
        timeoutSeconds, nextOnly, failOnDrift, policyFile, rollback, repo, ref, into, depth, username,
        passwordFrom, resources, approval);
  }

  @Override
  public String toString() {
    // The repository URL may carry a user part that is a token.
    return "Step[name=" + name + ", type=" + type + ", changelog=" + changelog + ", searchPath=" + searchPath
        + ", tag=" + tag + ", count=" + count + ", repo=" + io.dbops.support.Secrets.maskUrl(repo) + ", ref=" + ref
        + ", into=" + into + ", passwordFrom=" + passwordFrom + "]";
  }
}
