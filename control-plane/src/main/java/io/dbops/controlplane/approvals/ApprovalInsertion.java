package io.dbops.controlplane.approvals;

import io.dbops.pipeline.ApprovalRule;
import io.dbops.pipeline.Pipeline;
import io.dbops.pipeline.Stage;
import io.dbops.pipeline.Step;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The environment rule of approvals (docs/environments.md "Approvals"): before the first apply of a
 * stage whose environment requires approval, the stage gets an update preview, a rollback preview
 * and an approval step, each unless the stage already has one before that apply. Approval steps
 * without a rule of their own get the environment's rule. Pure: the lookup is the only input
 * besides the pipeline; thread-safe.
 */
public final class ApprovalInsertion {
  static final String PREVIEW = "approval-preview";
  static final String ROLLBACK_PREVIEW = "approval-rollback-preview";
  static final String APPROVAL = "approval";

  private ApprovalInsertion() {}

  /**
   * @param environmentRule the approval rule of an environment, by name; empty when the environment
   *     requires no approval (or does not exist)
   * @return the pipeline with the steps inserted; the same pipeline when nothing changes
   */
  public static Pipeline apply(Pipeline pipeline, Function<String, Optional<ApprovalRule>> environmentRule) {
    List<Stage> stages = new ArrayList<>();
    boolean changed = false;
    for (Stage stage : pipeline.stages()) {
      Stage updated = stage == null ? null : apply(stage, environmentRule);
      changed |= updated != stage;
      stages.add(updated);
    }
    return changed ? pipeline.withStages(stages) : pipeline;
  }

  static Stage apply(Stage stage, Function<String, Optional<ApprovalRule>> environmentRule) {
    Optional<ApprovalRule> rule = stage.environment() == null ? Optional.empty()
        : environmentRule.apply(stage.environment());
    List<Step> steps = new ArrayList<>(stage.steps());
    boolean changed = false;
    if (rule.isPresent()) {
      for (int i = 0; i < steps.size(); i++) {
        if (steps.get(i) != null && "approval".equals(steps.get(i).type()) && steps.get(i).approval() == null) {
          steps.set(i, withRule(steps.get(i), rule.get()));
          changed = true;
        }
      }
      int apply = firstOfType(steps, "apply");
      if (apply >= 0 && firstOfType(steps.subList(0, apply), "approval") < 0) {
        Step applyStep = steps.get(apply);
        Set<String> names = new HashSet<>();
        steps.forEach(s -> names.add(s == null ? null : s.name()));
        List<Step> inserted = new ArrayList<>();
        if (!hasPreview(steps.subList(0, apply), false)) {
          inserted.add(preview(unique(PREVIEW, names), applyStep, false));
        }
        if (!hasPreview(steps.subList(0, apply), true)) {
          inserted.add(preview(unique(ROLLBACK_PREVIEW, names), applyStep, true));
        }
        inserted.add(approval(unique(APPROVAL, names), rule.get()));
        steps.addAll(apply, inserted);
        changed = true;
      }
    }
    return changed ? stage.withSteps(steps) : stage;
  }

  private static int firstOfType(List<Step> steps, String type) {
    for (int i = 0; i < steps.size(); i++) {
      if (steps.get(i) != null && type.equals(steps.get(i).type())) {
        return i;
      }
    }
    return -1;
  }

  private static boolean hasPreview(List<Step> steps, boolean rollback) {
    return steps.stream().anyMatch(s -> s != null && "preview".equals(s.type())
        && Boolean.TRUE.equals(s.rollback()) == rollback);
  }

  /** {@code base}, or {@code base-2}, {@code base-3}... when a step of the stage is named so. */
  private static String unique(String base, Set<String> names) {
    String name = base;
    for (int n = 2; names.contains(name); n++) {
      name = base + "-" + n;
    }
    names.add(name);
    return name;
  }

  /** A preview of what {@code apply} would run (or, with rollback, what would undo it). */
  private static Step preview(String name, Step apply, boolean rollback) {
    return new Step(name, "preview", apply.changelog(), apply.searchPath(), apply.contexts(), apply.labels(),
        null, null, apply.parameters(), null, null, null, null, rollback ? Boolean.TRUE : null, null, null, null,
        null, null, null, apply.resources(), null);
  }

  private static Step approval(String name, ApprovalRule rule) {
    return withRule(new Step(name, "approval", null, null, null, null, null, null, null, null), rule);
  }

  private static Step withRule(Step s, ApprovalRule rule) {
    return new Step(s.name(), s.type(), s.changelog(), s.searchPath(), s.contexts(), s.labels(), s.tag(),
        s.count(), s.parameters(), s.timeoutSeconds(), s.nextOnly(), s.failOnDrift(), s.policyFile(),
        s.rollback(), s.repo(), s.ref(), s.into(), s.depth(), s.username(), s.passwordFrom(), s.resources(),
        rule);
  }
}
