package io.dbops.step.git;

import io.dbops.step.liquibase.StepControl;
import java.util.function.Consumer;
import org.eclipse.jgit.lib.ProgressMonitor;

/**
 * JGit progress as step log lines (one per finished task, for example "git: Receiving objects: 42
 * done"), and the step's stop as JGit's cancellation, which JGit checks while it transfers. Used by
 * one clone on one thread.
 */
final class StepProgressMonitor implements ProgressMonitor {
  private final StepControl control;
  private final Consumer<String> log;
  private String task;
  private int done;

  StepProgressMonitor(StepControl control, Consumer<String> log) {
    this.control = control;
    this.log = log;
  }

  @Override
  public void start(int totalTasks) {
    // Task count is not useful to an operator.
  }

  @Override
  public void beginTask(String title, int totalWork) {
    task = title;
    done = 0;
  }

  @Override
  public void update(int completed) {
    done += completed;
  }

  @Override
  public void endTask() {
    if (task != null) {
      log.accept("git: " + task + (done > 0 ? ": " + done + " done" : ""));
    }
    task = null;
  }

  @Override
  public boolean isCancelled() {
    return control.isStopped();
  }

  @Override
  public void showDuration(boolean enabled) {
    // Durations go in the step's result, not per task.
  }
}
