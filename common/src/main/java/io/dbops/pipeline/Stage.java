package io.dbops.pipeline;

import java.util.List;

/**
 * One stage: a build pod, a target database and its steps.
 *
 * @param delegateSelectors tags a delegate must all have to run this stage; may be empty
 * @param timeoutSeconds the most the stage's build pod may live; 0 means the default (3600)
 * @param pod Kubernetes settings of the build pod; null for none
 * @param target name of a stored target (docs/environments.md) instead of {@code database}; the
 *     control plane resolves it at submission; null when the stage names its database
 * @param environment the environment the stage deploys to; set from the target when the stage names
 *     one; null for none
 * @param onFailure what a failed step does: {@code fail} (null means this), {@code rollback} (roll
 *     the target back to the tag the apply recorded before it started, then fail) or {@code pause}
 *     (keep the pod and wait for {@code dbops resume})
 * @param allowIrreversible under {@code onFailure: rollback}, start even when a pending changeset
 *     cannot be rolled back; null means false
 * @param targetGroup a label selector over stored targets ({@code tier=tenant,region=eu}: every
 *     label must match) instead of {@code database} or {@code target}: a rollout stage
 *     (docs/fleet-rollouts.md); null for an ordinary stage
 * @param rollout how a rollout stage runs (canary, waves, concurrency, failure budget); only with
 *     {@code targetGroup}; null means the defaults of {@link Rollout}
 * @param groupTargets the stored targets the group matched, in rollout order; set by the control
 *     plane at submission (and by a retry of the failed targets); empty otherwise
 */
public record Stage(
    String name, Database database, List<Step> steps, List<String> delegateSelectors,
    int timeoutSeconds, StagePod pod, String target, String environment, String onFailure,
    Boolean allowIrreversible, String targetGroup, Rollout rollout, List<String> groupTargets) {
  public Stage {
    steps = steps == null ? List.of() : List.copyOf(steps);
    delegateSelectors = delegateSelectors == null ? List.of() : List.copyOf(delegateSelectors);
    groupTargets = groupTargets == null ? List.of() : List.copyOf(groupTargets);
  }

  /** An ordinary stage (no target group). */
  public Stage(String name, Database database, List<Step> steps, List<String> delegateSelectors,
      int timeoutSeconds, StagePod pod, String target, String environment, String onFailure,
      Boolean allowIrreversible) {
    this(name, database, steps, delegateSelectors, timeoutSeconds, pod, target, environment,
        onFailure, allowIrreversible, null, null, null);
  }

  /** A stage with its own database, failing on a failed step. */
  public Stage(String name, Database database, List<Step> steps, List<String> delegateSelectors,
      int timeoutSeconds, StagePod pod) {
    this(name, database, steps, delegateSelectors, timeoutSeconds, pod, null, null, null, null);
  }

  /** A stage without pod settings. */
  public Stage(String name, Database database, List<Step> steps, List<String> delegateSelectors,
      int timeoutSeconds) {
    this(name, database, steps, delegateSelectors, timeoutSeconds, null);
  }

  /** This stage with {@code newSteps}, everything else kept. */
  public Stage withSteps(List<Step> newSteps) {
    return new Stage(name, database, newSteps, delegateSelectors, timeoutSeconds, pod, target,
        environment, onFailure, allowIrreversible, targetGroup, rollout, groupTargets);
  }

  /** This stage against {@code newDatabase}, everything else kept. */
  public Stage withDatabase(Database newDatabase) {
    return new Stage(name, newDatabase, steps, delegateSelectors, timeoutSeconds, pod, target,
        environment, onFailure, allowIrreversible, targetGroup, rollout, groupTargets);
  }

  /** This rollout stage with its group resolved to {@code targets} (in rollout order). */
  public Stage withGroupTargets(List<String> targets) {
    return new Stage(name, database, steps, delegateSelectors, timeoutSeconds, pod, target,
        environment, onFailure, allowIrreversible, targetGroup, rollout, targets);
  }

  /**
   * One target's stage of a rollout: this stage's steps, pod and failure strategy against stored
   * target {@code targetName} (to be resolved), without the group.
   */
  public Stage forTarget(String targetName) {
    return new Stage(name, null, steps, delegateSelectors, timeoutSeconds, pod, targetName, null,
        onFailure, allowIrreversible, null, null, null);
  }

  /** True for a stage that rolls out to a target group. */
  public boolean hasTargetGroup() {
    return targetGroup != null && !targetGroup.isBlank();
  }
}
