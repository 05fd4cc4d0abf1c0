package io.dbops.step.liquibase;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import liquibase.Scope;
import liquibase.change.Change;
import liquibase.change.ChangeFactory;
import liquibase.changelog.ChangeSet;
import liquibase.database.Database;

/**
 * APPLY with {@code requireReversible}: whether every pending changeset can be rolled back, asked
 * of Liquibase itself ({@link ChangeSet#supportsRollback}: an explicit rollback, or only change
 * types Liquibase can invert on this database). Runs before the pre-start tag, so a refusal
 * changes nothing. Stateless.
 */
final class ReversibilityCheck {
  private ReversibilityCheck() {}

  /**
   * The pending changesets Liquibase could not roll back, each mapped to the change types that
   * lack an inverse; empty when all can be rolled back.
   */
  static Map<ChangeSet, Set<String>> irreversible(List<ChangeSet> pending, Database database) {
    Map<ChangeSet, Set<String>> found = new LinkedHashMap<>();
    for (ChangeSet cs : pending) {
      if (cs.supportsRollback(database)) {
        continue;
      }
      Set<String> types = new LinkedHashSet<>();
      for (Change change : cs.getChanges()) {
        if (!change.supportsRollback(database)) {
          types.add(typeName(change));
        }
      }
      found.put(cs, types);
    }
    return found;
  }

  /** The refusal of an apply: every irreversible changeset, and the two ways forward. */
  static StepOutcome refusal(Map<ChangeSet, Set<String>> irreversible, int pendingCount) {
    List<String> names = new ArrayList<>();
    List<ChangeSetOutcome> records = new ArrayList<>();
    for (Map.Entry<ChangeSet, Set<String>> e : irreversible.entrySet()) {
      String types = e.getValue().isEmpty() ? "no changes" : String.join(", ", e.getValue());
      names.add(ChangeSetTracker.name(e.getKey()) + " (" + types + ")");
      records.add(ChangeSetTracker.record(e.getKey(), "IRREVERSIBLE", 0, 0));
    }
    String error = "Refused before anything ran: the stage rolls back on failure (onFailure: rollback), but "
        + irreversible.size() + " of " + pendingCount + " pending changeset(s) cannot be rolled back: "
        + String.join("; ", names) + ". Give each an explicit rollback (--rollback in formatted SQL, <rollback> in"
        + " XML, rollback: in YAML), or set allowIrreversible: true on the stage to apply without that guarantee.";
    Map<String, String> outputs = new LinkedHashMap<>();
    outputs.put("pendingBefore", Integer.toString(pendingCount));
    outputs.put("changesetsApplied", "0");
    outputs.put("irreversibleChangesets", String.join(",", irreversible.keySet().stream()
        .map(ChangeSetTracker::name).toList()));
    return StepOutcome.failed(error, outputs, records);
  }

  private static String typeName(Change change) {
    try {
      return Scope.getCurrentScope().getSingleton(ChangeFactory.class).getChangeMetaData(change).getName();
    } catch (RuntimeException e) {
      return change.getClass().getSimpleName();
    }
  }
}
