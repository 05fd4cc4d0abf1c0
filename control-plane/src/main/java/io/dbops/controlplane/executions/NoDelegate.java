package io.dbops.controlplane.executions;

import io.dbops.controlplane.logs.LogService;
import io.dbops.controlplane.queue.Task;
import io.dbops.protocol.TaskTypes;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * "No silent minutes": when no connected delegate can take a stage's task (its selectors match
 * none, every delegate declined it, none is connected), the stage says so at once, in the
 * execution's log, in {@code stages[].waiting} and as a {@code no_delegate} event, naming each
 * delegate's reason and how long the control plane waits for one that can (the dispatcher fails
 * the task then; docs/pipelines.md "When no delegate can take a stage").
 */
final class NoDelegate {
  static final String EVENT = "no_delegate";
  static final String SETTING = "DBOPS_STAGE_WAIT_FOR_DELEGATE_SECONDS";

  private NoDelegate() {}

  /**
   * Records the announcement on the stage; false when the stage is not waiting for this task any
   * more (it finished, or the task is of a stage already past it).
   *
   * @param reasons one per live delegate, {@code name (instance id): why}; empty when none is
   *     connected
   * @param failsAt when the task fails unless a delegate that can take it appears
   */
  static boolean announce(ExecutionRecord ex, ExecutionState.StageState s, Task task,
      List<String> reasons, long failsAt, long now, LogService logs) {
    if (!"RUNNING".equals(s.status) || s.liteEngineAddress != null
        && TaskTypes.INIT_STAGE.equals(task.type())) {
      return false;
    }
    String message = message(s.name, task.type(), reasons, failsAt, now);
    s.waiting = message;
    Map<String, String> details = new LinkedHashMap<>();
    details.put("task", task.id());
    details.put("taskType", task.type());
    if (reasons.isEmpty()) {
      details.put("delegates", "none connected");
    }
    for (String reason : reasons) {
      int colon = reason.indexOf("): ");
      details.put(colon < 0 ? reason : reason.substring(0, colon + 1),
          colon < 0 ? "" : reason.substring(colon + 3));
    }
    details.put("failsAt", Instant.ofEpochMilli(failsAt).toString());
    ex.state.event(now, EVENT, s.name, "dbops", message, details);
    logs.appendControl(ex.id, "WARN", message);
    return true;
  }

  static String message(String stage, String taskType, List<String> reasons, long failsAt,
      long now) {
    String what = TaskTypes.INIT_STAGE.equals(taskType) ? "Stage " + stage
        : "Stage " + stage + " (" + taskType + ")";
    String who = reasons.isEmpty() ? "no delegate is connected"
        : "every connected delegate declined it: " + String.join("; ", reasons);
    String setting = TaskTypes.INIT_STAGE.equals(taskType) ? SETTING
        : "DBOPS_DISPATCH_DEADLINE_SECONDS";
    long waitSeconds = Math.max(0, (failsAt - now + 999) / 1000);
    String then = waitSeconds == 0 ? "the stage fails now (" + setting + " is 0)"
        : "waiting up to " + waitSeconds + " s for a delegate that can take it (until "
            + Instant.ofEpochMilli(failsAt) + ", " + setting + "), then the stage fails";
    return what + ": no delegate can take it: " + who + "; " + then;
  }
}
