package io.dbops.controlplane.catalog;

import io.dbops.pipeline.Database;
import io.dbops.pipeline.Pipeline;
import io.dbops.pipeline.Stage;
import io.dbops.pipeline.Step;
import java.util.ArrayList;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dbops.support.Json;
import java.util.TreeMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Turns stages that name a stored target (or an environment) into stages that can run: the
 * target's database with its Liquibase table and schema names, its contexts, label filter and
 * parameters as defaults of the steps, the environment, and the delegate selectors of the stage,
 * the target and the environment together (a delegate must have all). Checks the environment's
 * {@code requirePolicy} rule. Pure; thread-safe.
 */
final class StageResolver {
  private final Function<String, Optional<Target>> targets;
  private final Function<String, Optional<Environment>> environments;

  private final java.util.function.Supplier<List<Target>> allTargets;

  StageResolver(Function<String, Optional<Target>> targets,
      Function<String, Optional<Environment>> environments) {
    this(targets, environments, List::of);
  }

  /** @param allTargets every stored target, for rollout stages' groups */
  StageResolver(Function<String, Optional<Target>> targets,
      Function<String, Optional<Environment>> environments,
      java.util.function.Supplier<List<Target>> allTargets) {
    this.targets = targets;
    this.environments = environments;
    this.allTargets = allTargets;
  }

  /** The pipeline with every target and environment resolved; problems for what cannot be. */
  Pipeline resolve(Pipeline pipeline, List<String> problems) {
    List<Stage> stages = new ArrayList<>();
    for (int i = 0; i < pipeline.stages().size(); i++) {
      Stage stage = pipeline.stages().get(i);
      stages.add(stage == null ? null : resolve(stage, "stages[" + i + "]", problems));
    }
    return new Pipeline(pipeline.name(), stages);
  }

  private Stage resolve(Stage stage, String where, List<String> problems) {
    if (stage.hasTargetGroup()) {
      return resolveGroup(stage, where, problems);
    }
    Database database = stage.database();
    List<Step> steps = stage.steps();
    Set<String> selectors = new LinkedHashSet<>(stage.delegateSelectors());
    String environmentName = stage.environment();
    if (stage.target() != null && !stage.target().isBlank()) {
      if (database != null) {
        problems.add(where + " names both a database and target '" + stage.target()
            + "'; name one of them");
      }
      Optional<Target> found = targets.apply(stage.target());
      if (found.isEmpty()) {
        problems.add(where + ".target names target '" + stage.target() + "', which does not exist"
            + " (list them with `dbops get targets`)");
        return stage;
      }
      Target target = found.get();
      if (environmentName != null && !environmentName.equals(target.environment())) {
        problems.add(where + ".environment '" + environmentName + "' differs from the environment '"
            + target.environment() + "' of target '" + target.name() + "'; remove it");
      }
      environmentName = target.environment();
      database = target.database();
      steps = withDefaults(steps, target.liquibase());
      selectors.addAll(target.delegateSelectors());
    }
    if (environmentName != null) {
      Optional<Environment> environment = environments.apply(environmentName);
      if (environment.isEmpty()) {
        problems.add(where + ".environment names environment '" + environmentName + "', which does"
            + " not exist (list them with `dbops get environments`)");
      } else {
        selectors.addAll(environment.get().selectors());
        if (environment.get().policyRequired() && !policyBeforeApply(steps)) {
          problems.add(where + " deploys to environment '" + environmentName + "', whose rule"
              + " requirePolicy needs a step of type policy before the first apply");
        }
      }
    }
    return new Stage(stage.name(), database, steps, List.copyOf(selectors), stage.timeoutSeconds(),
        stage.pod(), stage.target(), environmentName, stage.onFailure(), stage.allowIrreversible());
  }

  /**
   * A rollout stage: its group resolved to the matching stored targets, by name (the rollout's
   * order); each target's own settings are resolved when its execution starts. The environment is
   * set when every target shares one (so that tokens limited to it may run the rollout).
   */
  private Stage resolveGroup(Stage stage, String where, List<String> problems) {
    if (stage.database() != null || (stage.target() != null && !stage.target().isBlank())) {
      return stage; // the validator names the conflict
    }
    List<String> syntax = io.dbops.pipeline.TargetSelector.problems(stage.targetGroup());
    if (!syntax.isEmpty()) {
      syntax.forEach(p -> problems.add(where + ".targetGroup " + p));
      return stage;
    }
    Map<String, String> selector = io.dbops.pipeline.TargetSelector.parse(stage.targetGroup());
    List<Target> matched = allTargets.get().stream()
        .filter(t -> io.dbops.pipeline.TargetSelector.matches(selector, t.labels()))
        .filter(t -> stage.environment() == null || stage.environment().equals(t.environment()))
        .toList();
    if (matched.isEmpty()) {
      problems.add(where + ".targetGroup '" + stage.targetGroup() + "' matches no stored target"
          + (stage.environment() == null ? "" : " of environment '" + stage.environment() + "'")
          + " (a target matches when its labels hold every key=value; list them with `dbops get targets`)");
      return stage;
    }
    Set<String> envs = new LinkedHashSet<>();
    matched.forEach(t -> envs.add(t.environment()));
    String environment = envs.size() == 1 ? envs.iterator().next() : null;
    if (environment != null && environments.apply(environment).isEmpty()) {
      environment = null;
    }
    return new Stage(stage.name(), null, stage.steps(), stage.delegateSelectors(), stage.timeoutSeconds(),
        stage.pod(), null, environment, stage.onFailure(), stage.allowIrreversible(), stage.targetGroup(),
        stage.rollout(), matched.stream().map(Target::name).toList());
  }

  private static boolean policyBeforeApply(List<Step> steps) {
    for (Step step : steps) {
      if ("policy".equals(step.type())) {
        return true;
      }
      if ("apply".equals(step.type())) {
        return false;
      }
    }
    return true; // no apply: nothing to guard
  }

  /** The target's contexts, label filter and parameters for steps that do not set their own. */
  static List<Step> withDefaults(List<Step> steps, Target.Liquibase lb) {
    if (lb == null) {
      return steps;
    }
    List<Step> out = new ArrayList<>();
    for (Step s : steps) {
      if ("clone".equals(s.type())) {
        out.add(s);
        continue;
      }
      // through the JSON tree, so that fields added to Step later are kept
      ObjectNode node = (ObjectNode) Json.tree(s);
      if (s.contexts() == null && lb.contexts() != null) {
        node.put("contexts", lb.contexts());
      }
      if (s.labels() == null && lb.labelFilter() != null) {
        node.put("labels", lb.labelFilter());
      }
      Map<String, String> parameters = new TreeMap<>(lb.parameters());
      parameters.putAll(s.parameters());
      node.set("parameters", Json.tree(parameters));
      out.add(Json.convert(node, Step.class));
    }
    return out;
  }
}
