package io.dbops.controlplane.executions;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The registered {@link ExecutionListener}s; one listener's failure does not stop the others. */
final class ExecutionListeners {
  private static final Logger log = LoggerFactory.getLogger(ExecutionListeners.class);
  private final List<ExecutionListener> listeners = new CopyOnWriteArrayList<>();

  void add(ExecutionListener listener) {
    listeners.add(java.util.Objects.requireNonNull(listener, "listener"));
  }

  void fire(String what, Consumer<ExecutionListener> call) {
    for (ExecutionListener l : listeners) {
      try {
        call.accept(l);
      } catch (RuntimeException e) {
        log.warn("Execution listener {} failed on {}; the execution is not affected",
            l.getClass().getSimpleName(), what, e);
      }
    }
  }
}
