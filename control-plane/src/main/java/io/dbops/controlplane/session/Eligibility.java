package io.dbops.controlplane.session;

import io.dbops.controlplane.queue.Task;
import io.dbops.controlplane.queue.TaskQueue;
import io.dbops.protocol.Frame;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether a delegate may run a queued task: for a session of this replica ({@link #eligible}),
 * and why a registered instance of any replica cannot, in words for the execution error
 * ({@link #whyNot}).
 */
final class Eligibility {
  private Eligibility() {}

  /** True when the welcomed delegate runs the task's type, has its tags and holds its pin. */
  static boolean eligible(Frame.Hello hello, Task task) {
    return hello != null
        && hello.taskTypes().contains(task.type())
        && hello.tags().containsAll(task.selectors())
        && (task.pinnedInstance() == null || task.pinnedInstance().equals(hello.instanceId()));
  }

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
