package io.dbops.liteengine.dispatch;

import io.dbops.logship.Progress;
import io.dbops.proto.v1.ChangeSetProgress;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Works out "changeset n of m" for one step. A step container that sends {@code
 * StepEvent.progress} (the dbops step runtime does) is taken at its word. For one that does not,
 * progress is read from the lines it prints: "N changeset(s) to apply." (APPLY) or
 * "Rolling back the last N changeset(s)" give the total, and each "Applying changeset X" or
 * "Rolling back changeset X" starts the next one. Used by the step's thread only.
 */
final class ProgressTracker {
  private static final Pattern TOTAL =
      Pattern.compile("^(\\d+) changeset\\(s\\) to apply\\.$|^Rolling back the last (\\d+) changeset\\(s\\)$");
  private static final Pattern STARTING = Pattern.compile("^(?:Applying|Rolling back) changeset (.+)$");

  private boolean structured;
  private int total;
  private int started;

  /** Progress from the container's own event; from then on lines are not read. */
  Progress onEvent(ChangeSetProgress event) {
    structured = true;
    return new Progress(Math.max(0, event.getStarted()), Math.max(0, event.getTotal()), event.getChangeset());
  }

  /** Progress when {@code text} starts a changeset; null otherwise. */
  Progress onLine(String text) {
    if (structured) {
      return null;
    }
    Matcher t = TOTAL.matcher(text);
    if (t.matches()) {
      total = Integer.parseInt(t.group(1) != null ? t.group(1) : t.group(2));
      started = 0;
      return null;
    }
    Matcher s = STARTING.matcher(text);
    if (s.matches()) {
      started++;
      return new Progress(started, Math.max(total, 0), s.group(1));
    }
    return null;
  }
}
