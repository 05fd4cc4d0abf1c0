package io.dbops.controlplane.session;

import io.dbops.controlplane.queue.Task;
import io.dbops.controlplane.queue.TaskQueue;
import java.util.ArrayList;
import java.util.List;

/** Why a registered delegate instance cannot run a queued task, in words for the execution error. */
final class Eligibility {
  private Eligibility() {}

  /** Null when {@code r} could run {@code task}; otherwise the first reason it cannot. */
  static String whyNot(DelegateRegistry.Registered r, Task task, List<TaskQueue.Decline> declines) {
    if (!r.accepting()) {
      return "draining or its token was revoked";
    }
    if (!r.taskTypes().contains(task.type())) {
      return "does not run " + task.type() + " tasks";
    }
    List<String> missing = new ArrayList<>(task.selectors());
    missing.removeAll(r.tags());
    if (!missing.isEmpty()) {
      return "missing tags " + missing;
    }
    if (task.pinnedInstance() != null && !task.pinnedInstance().equals(r.instanceId())) {
      return "the stage's build pod is on instance " + task.pinnedInstance();
    }
    for (TaskQueue.Decline d : declines) {
      if (d.instanceId().equals(r.instanceId())) {
        return d.reason();
      }
    }
    return null;
  }
}
