package io.dbops.controlplane.executions;

import io.dbops.pipeline.Pipeline;
import io.dbops.pipeline.Stage;
import io.dbops.pipeline.Step;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The environment rule {@code protection.driftGate} (docs/fleet-state.md "Drift gate"): before the
 * first apply of a stage deploying to such an environment (before the approval block in front of
 * it: previews, policy, approval), a {@code drift} step on the apply's changelog that only reports,
 * then an approval step named {@value #OVERRIDE}: entered only when the drift step found
 * differences, skipped as succeeded ("no drift") otherwise. Approving it is the explicit override
 * (audited as {@code drift.override}); rejecting it fails the stage with "drift blocked the apply".
 * Pure; thread-safe.
 */
public final class DriftGateSteps {
  static final String DRIFT = "drift-gate";
  static final String OVERRIDE = "drift-override";

  private DriftGateSteps() {}

  /** The pipeline with the drift gate's steps inserted in gated stages; the same one when none. */
  /**
   * @param gated whether an environment has the drift gate
   * @param rules the approval rule of an environment (the override needs it); empty for the default
   *     (one approval by an approver)
   */
  public static Pipeline apply(Pipeline pipeline, Predicate<String> gated,
      java.util.function.Function<String, java.util.Optional<io.dbops.pipeline.ApprovalRule>> rules) {
    List<Stage> stages = new ArrayList<>();
    boolean changed = false;
    for (Stage stage : pipeline.stages()) {
      Stage updated = stage == null || stage.environment() == null || !gated.test(stage.environment())
          ? stage : gate(stage, rules.apply(stage.environment()).orElse(null));
      changed |= updated != stage;
      stages.add(updated);
    }
    return changed ? pipeline.withStages(stages) : pipeline;
  }

  static Stage gate(Stage stage, io.dbops.pipeline.ApprovalRule rule) {
    List<Step> steps = new ArrayList<>(stage.steps());
    int apply = -1;
    for (int i = 0; i < steps.size() && apply < 0; i++) {
      if (steps.get(i) != null && "apply".equals(steps.get(i).type())) {
        apply = i;
      }
    }
    if (apply < 0) {
      return stage;
    }
    int at = apply;
    while (at > 0 && steps.get(at - 1) != null
        && List.of("preview", "approval", "policy").contains(steps.get(at - 1).type())) {
      at--;
    }
    Step a = steps.get(apply);
    Set<String> names = new HashSet<>();
    steps.forEach(s -> names.add(s == null ? null : s.name()));
    Step drift = new Step(unique(DRIFT, names), "drift", a.changelog(), a.searchPath(), a.contexts(),
        a.labels(), null, null, a.parameters(), null, null, Boolean.FALSE, null, null, null, null, null,
        null, null, null, a.resources(), null);
    Step override = new Step(unique(OVERRIDE, names), "approval", null, null, null, null, null, null, null,
        null, null, null, null, null, null, null, null, null, null, null, null, rule);
    steps.addAll(at, List.of(drift, override));
    return stage.withSteps(steps);
  }

  /** Whether step {@code index} of the stage is the drift gate's override approval. */
  static boolean isOverride(Stage stage, int index) {
    Step step = stage.steps().get(index);
    return "approval".equals(step.type()) && step.name().startsWith(OVERRIDE) && index > 0
        && "drift".equals(stage.steps().get(index - 1).type());
  }

  private static String unique(String base, Set<String> names) {
    String name = base;
    for (int n = 2; names.contains(name); n++) {
      name = base + "-" + n;
    }
    names.add(name);
    return name;
  }

  /**
   * The drift step's {@code drift} output (a JSON array of differences) as lines, like the step
   * runtime's log: "extra column person.nickname: varchar(50) NULL"; empty for none.
   */
  public static List<String> differences(String json) {
    List<String> lines = new ArrayList<>();
    if (json == null || json.isBlank()) {
      return lines;
    }
    try {
      for (com.fasterxml.jackson.databind.JsonNode d : io.dbops.support.Json.mapper().readTree(json)) {
        String type = d.path("objectType").asText();
        String table = d.path("table").asText();
        String what = type.equals("table") || type.equals("view") || type.equals("sequence")
            ? type + " " + table : type + " " + table + "." + d.path("name").asText();
        String expected = d.path("expected").asText("");
        String actual = d.path("actual").asText("");
        lines.add(switch (d.path("change").asText()) {
          case "missing" -> "missing " + what + (expected.isEmpty() ? "" : ": expected " + expected);
          case "extra" -> "extra " + what + (actual.isEmpty() ? "" : ": " + actual);
          default -> "changed " + what + ": expected " + expected + ", found " + actual;
        });
      }
    } catch (java.io.IOException e) {
      lines.add("(the drift output cannot be read: " + e.getMessage() + ")");
    }
    return lines;
  }
}
