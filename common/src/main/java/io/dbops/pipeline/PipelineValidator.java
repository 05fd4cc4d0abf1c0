package io.dbops.pipeline;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import io.dbops.secrets.SecretSource;

/**
 * Checks a pipeline before it runs and reports every problem at once: names, step settings,
 * secret references, no password inside a JDBC URL (use {@code passwordFrom}), and the ceilings
 * of {@link PipelineLimits}. Pure; thread-safe.
 */
public final class PipelineValidator {
  public static final Set<String> STEP_TYPES =
      Set.of("apply", "preview", "rollback", "status", "validate", "tag", "sync", "drift", "policy", "history",
          "clone", "approval");
  /** The roles an approval rule may name (the control plane's roles, docs/api.md "Roles"). */
  public static final Set<String> ROLES = Set.of("viewer", "deployer", "approver", "admin");
  private static final Pattern REPO_URL = Pattern.compile("(?i)(https?|git|file)://.+");
  private static final Pattern URL_PASSWORD = Pattern.compile("://[^/@]*:[^/@]*@");
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?");

  private final PipelineLimits limits;
  private final boolean requireDatabases;

  /** With the default ceilings ({@link PipelineLimits#DEFAULTS}). */
  public PipelineValidator() {
    this(PipelineLimits.DEFAULTS);
  }

  /** A stage may name a stored {@code target} instead of its {@code database}. */
  public PipelineValidator(PipelineLimits limits) {
    this(limits, false);
  }

  private PipelineValidator(PipelineLimits limits, boolean requireDatabases) {
    this.limits = limits;
    this.requireDatabases = requireDatabases;
  }

  /**
   * This validator, also requiring every stage to name its database: for a pipeline whose stored
   * targets the control plane has already resolved.
   */
  public PipelineValidator requiringDatabases() {
    return new PipelineValidator(limits, true);
  }

  /** Throws {@link PipelineException} naming every problem; returns the pipeline otherwise. */
  public Pipeline validate(String source, Pipeline pipeline) {
    List<String> problems = new ArrayList<>();
    if (pipeline == null) {
      throw new PipelineException(source, List.of("the pipeline is empty"));
    }
    if (blank(pipeline.name())) {
      problems.add("'name' is required");
    }
    if (pipeline.stages().isEmpty()) {
      problems.add("'stages' must list at least one stage");
    }
    if (pipeline.stages().size() > limits.maxStages()) {
      problems.add("'stages' lists " + pipeline.stages().size() + " stages, more than the "
          + limits.maxStages() + " allowed (rule: pipeline size; the control plane's"
          + " DBOPS_MAX_STAGES sets the ceiling)");
    }
    Set<String> stageNames = new HashSet<>();
    for (int i = 0; i < pipeline.stages().size(); i++) {
      Stage stage = pipeline.stages().get(i);
      String where = "stages[" + i + "]";
      if (stage == null) {
        problems.add(where + " is empty");
        continue;
      }
      checkName(where, stage.name(), stageNames, problems);
      if (!blank(stage.targetGroup())) {
        checkRollout(where, stage, problems);
      } else if (stage.rollout() != null || !stage.groupTargets().isEmpty()) {
        problems.add(where + ".rollout only applies to a stage with a targetGroup (a label selector"
            + " over stored targets, docs/fleet-rollouts.md)");
      }
      if (!blank(stage.targetGroup())) {
        // checked by checkRollout: no database, no target
      } else if (stage.database() == null && !blank(stage.target()) && !requireDatabases) {
        // the control plane resolves the stored target (docs/environments.md)
      } else if (stage.database() == null || blank(stage.database().url())) {
        problems.add(where + ".database.url is required (a JDBC URL)" + (requireDatabases ? ""
            : ", or name a stored target in " + where + ".target (docs/environments.md)"));
      } else {
        if (!stage.database().url().startsWith("jdbc:")) {
          problems.add(where + ".database.url must be a JDBC URL starting with 'jdbc:'");
        }
        // The URL is never echoed: it holds the password.
        JdbcUrlPasswords.find(stage.database().url()).ifPresent(found -> problems.add(where
            + ".database.url must not contain a password (found in " + found + "); put the password"
            + " in a secret and name it in " + where + ".database.passwordFrom (" + SecretSource.FORMS + ")"));
      }
      problems.addAll(LiquibaseNames.problems(where + ".database", stage.database()));
      PodChecks.checkPod(where + ".pod", stage.pod(), problems);
      FailureChecks.check(where, stage, problems);
      if (stage.steps().isEmpty()) {
        problems.add(where + ".steps must list at least one step");
      }
      if (stage.steps().size() > limits.maxSteps()) {
        problems.add(where + ".steps lists " + stage.steps().size() + " steps, more than the "
            + limits.maxSteps() + " allowed per stage (rule: pipeline size; the control plane's"
            + " DBOPS_MAX_STEPS sets the ceiling)");
      }
      Set<String> stepNames = new HashSet<>();
      for (int j = 0; j < stage.steps().size(); j++) {
        checkStep(where + ".steps[" + j + "]", stage.steps().get(j), stepNames, problems);
      }
    }
    for (PipelineSecrets.Reference ref : PipelineSecrets.references(pipeline)) {
      // The text is never echoed: a password pasted here by mistake must not reach a log.
      if (SecretSource.parse(ref.text()).isEmpty()) {
        problems.add(ref.where() + " must be one of " + SecretSource.FORMS);
      }
    }
    if (!problems.isEmpty()) {
      throw new PipelineException(source, problems);
    }
    return pipeline;
  }

  private static void checkStep(String where, Step step, Set<String> names, List<String> problems) {
    if (step == null) {
      problems.add(where + " is empty");
      return;
    }
    checkName(where, step.name(), names, problems);
    if (blank(step.type()) || !STEP_TYPES.contains(step.type())) {
      problems.add(where + ".type must be one of " + new java.util.TreeSet<>(STEP_TYPES)
          + (blank(step.type()) ? "" : ", not '" + step.type() + "'"));
    }
    if ("clone".equals(step.type())) {
      checkClone(where, step, problems);
    } else if ("approval".equals(step.type())) {
      checkApproval(where + ".approval", step.approval(), problems);
    } else {
      if (blank(step.changelog()) && !"history".equals(step.type())) {
        problems.add(where + ".changelog is required");
      }
      if (step.repo() != null || step.ref() != null || step.into() != null || step.depth() != null
          || step.username() != null || step.passwordFrom() != null) {
        problems.add(where + ": repo, ref, into, depth, username and passwordFrom only apply to type clone");
      }
    }
    if (step.approval() != null && !"approval".equals(step.type())) {
      problems.add(where + ".approval only applies to type approval");
    }
    if (Boolean.TRUE.equals(step.rollback()) && !"preview".equals(step.type())) {
      problems.add(where + ".rollback only applies to type preview");
    }
    if ("rollback".equals(step.type()) && blank(step.tag()) && (step.count() == null || step.count() < 1)) {
      problems.add(where + " is a rollback: set 'tag' or a 'count' of at least 1");
    }
    if ("tag".equals(step.type()) && blank(step.tag())) {
      problems.add(where + " is a tag step: 'tag' is required");
    }
    if (step.timeoutSeconds() != null && step.timeoutSeconds() < 1) {
      problems.add(where + ".timeoutSeconds must be at least 1");
    }
    PodChecks.checkResources(where + ".resources", step.resources(), problems);
  }

  /** Exactly one of database, target and targetGroup; a valid selector and rollout policy. */
  private void checkRollout(String where, Stage stage, List<String> problems) {
    if (stage.database() != null || !blank(stage.target())) {
      problems.add(where + " names a targetGroup and also a " + (stage.database() != null
          ? "database" : "target") + "; a stage names exactly one of database, target and targetGroup");
    }
    List<String> selectorProblems = TargetSelector.problems(stage.targetGroup());
    selectorProblems.forEach(p -> problems.add(where + ".targetGroup " + p));
    if (stage.rollout() != null) {
      stage.rollout().check(where + ".rollout", problems);
    }
    if (requireDatabases && stage.groupTargets().isEmpty()) {
      problems.add(where + ".targetGroup '" + stage.targetGroup() + "' was not resolved to any"
          + " stored target");
    }
    if ("pause".equals(stage.onFailure())) {
      problems.add(where + ".onFailure: pause is not supported in a rollout stage (one paused target"
          + " would hold the whole rollout); use fail or rollback");
    }
  }

  /** An approval step's rule (null: the environment's rule, or one approval by an approver). */
  public static void checkApproval(String where, ApprovalRule rule, List<String> problems) {
    if (rule == null) {
      return;
    }
    if (rule.required() != null && (rule.required() < 1 || rule.required() > 20)) {
      problems.add(where + ".required must be between 1 and 20, not " + rule.required());
    }
    for (String role : rule.roles()) {
      if (role == null || !ROLES.contains(role)) {
        problems.add(where + ".roles: '" + role + "' is not a role; roles are " + new java.util.TreeSet<>(ROLES));
      }
    }
    for (String group : rule.groups()) {
      if (blank(group)) {
        problems.add(where + ".groups must not hold an empty name");
      }
    }
    if (rule.timeoutSeconds() != null && rule.timeoutSeconds() < 1) {
      problems.add(where + ".timeoutSeconds must be at least 1");
    }
  }

  private static void checkClone(String where, Step step, List<String> problems) {
    if (blank(step.repo())) {
      problems.add(where + " is a clone: 'repo' is required (the changelog repository's URL)");
    } else {
      if (!REPO_URL.matcher(step.repo()).matches()) {
        problems.add(where + ".repo must start with https://, http://, git:// or file:// (SSH is not supported)");
      }
      if (URL_PASSWORD.matcher(step.repo()).find()) {
        problems.add(where + ".repo must not contain a password; use passwordFrom (" + SecretSource.FORMS + ")");
      }
    }
    if (blank(step.into())) {
      problems.add(where + " is a clone: 'into' is required (a directory, relative to the pipeline file)");
    }
    if (step.depth() != null && step.depth() < 0) {
      problems.add(where + ".depth must be 0 (full history) or more");
    }
  }

  private static void checkName(String where, String name, Set<String> seen, List<String> problems) {
    if (blank(name)) {
      problems.add(where + ".name is required");
    } else if (!NAME.matcher(name).matches()) {
      problems.add(where + ".name '" + name
          + "' must be 1-40 lowercase letters, digits or '-', starting and ending with a letter or digit");
    } else if (!seen.add(name)) {
      problems.add(where + ".name '" + name + "' is used twice");
    }
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
