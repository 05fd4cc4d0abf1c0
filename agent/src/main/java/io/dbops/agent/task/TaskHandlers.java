package io.dbops.agent.task;

import io.dbops.support.GrpcChannels;
import io.dbops.agent.runtime.PodRuntime;
import java.util.List;

/** The handlers of every task type of protocol v1. */
public final class TaskHandlers {
  private TaskHandlers() {}

  /** Handlers for init_stage, execute_step, cleanup_stage and noop; the caller owns both arguments. */
  public static List<TaskHandler> standard(PodRuntime runtime, GrpcChannels liteEngines) {
    return List.of(
        new InitStageHandler(runtime), new ExecuteStepHandler(liteEngines), new CleanupStageHandler(runtime),
        new NoopHandler());
  }
}
