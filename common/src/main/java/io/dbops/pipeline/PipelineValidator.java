package io.dbops.pipeline;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Checks a pipeline before it runs and reports every problem at once. Pure; thread-safe. */
public final class PipelineValidator {
  public static final Set<String> STEP_TYPES =
      Set.of("apply", "preview", "rollback", "status", "validate", "tag", "sync", "drift", "policy");
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?");

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
    Set<String> stageNames = new HashSet<>();
    for (int i = 0; i < pipeline.stages().size(); i++) {
      Stage stage = pipeline.stages().get(i);
      String where = "stages[" + i + "]";
      if (stage == null) {
        problems.add(where + " is empty");
        continue;
      }
      checkName(where, stage.name(), stageNames, problems);
      if (stage.database() == null || blank(stage.database().url())) {
        problems.add(where + ".database.url is required (a JDBC URL)");
      } else {
        if (!stage.database().url().startsWith("jdbc:")) {
          problems.add(where + ".database.url must be a JDBC URL starting with 'jdbc:'");
        }
        String from = stage.database().passwordFrom();
        if (from != null && !from.matches("env:[A-Za-z_][A-Za-z0-9_]*")) {
          problems.add(where + ".database.passwordFrom must look like env:VARIABLE_NAME");
        }
      }
      if (stage.steps().isEmpty()) {
        problems.add(where + ".steps must list at least one step");
      }
      Set<String> stepNames = new HashSet<>();
      for (int j = 0; j < stage.steps().size(); j++) {
        checkStep(where + ".steps[" + j + "]", stage.steps().get(j), stepNames, problems);
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
    if (blank(step.changelog())) {
      problems.add(where + ".changelog is required");
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
