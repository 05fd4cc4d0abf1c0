package io.dbops.step.policy;

import java.util.Objects;
import java.util.Set;

/**
 * One policy rule: a check over single SQL statements, how bad a hit is, and which changesets it
 * does not apply to. Immutable.
 *
 * @param id unique rule id, named in violations (for example {@code drop-table})
 * @param description one sentence shown with a violation; may be empty
 * @param check what the rule looks for
 * @param severity ERROR fails the step, WARNING is only reported, OFF disables the rule
 * @param exemptChangesets changesets the rule ignores: {@code id}, {@code id::author} or
 *     {@code file::id::author}
 * @param exemptContexts changesets whose context expression names one of these are ignored
 * @param exemptLabels changesets carrying one of these labels are ignored
 */
public record PolicyRule(String id, String description, StatementCheck check, Severity severity,
    Set<String> exemptChangesets, Set<String> exemptContexts, Set<String> exemptLabels) {

  /** How a violation of a rule is treated. */
  public enum Severity { ERROR, WARNING, OFF }

  public PolicyRule {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(check, "check");
    Objects.requireNonNull(severity, "severity");
    if (id.isBlank()) {
      throw new IllegalArgumentException("rule id must not be blank");
    }
    description = description == null ? "" : description;
    exemptChangesets = exemptChangesets == null ? Set.of() : Set.copyOf(exemptChangesets);
    exemptContexts = exemptContexts == null ? Set.of() : Set.copyOf(exemptContexts);
    exemptLabels = exemptLabels == null ? Set.of() : Set.copyOf(exemptLabels);
  }

  /** Whether this rule ignores the changeset. */
  boolean exempts(PlannedChangeSet changeSet) {
    for (String e : exemptChangesets) {
      String[] parts = e.split("::", -1);
      boolean match = switch (parts.length) {
        case 1 -> e.equals(changeSet.id());
        case 2 -> parts[0].equals(changeSet.id()) && parts[1].equals(changeSet.author());
        default -> e.equals(changeSet.name());
      };
      if (match) {
        return true;
      }
    }
    for (String c : exemptContexts) {
      if (changeSet.contexts().stream().anyMatch(c::equalsIgnoreCase)) {
        return true;
      }
    }
    for (String l : exemptLabels) {
      if (changeSet.labels().stream().anyMatch(l::equalsIgnoreCase)) {
        return true;
      }
    }
    return false;
  }
}
