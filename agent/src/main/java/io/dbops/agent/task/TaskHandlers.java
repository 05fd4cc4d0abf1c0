package io.dbops.agent.task;

import io.dbops.support.GrpcChannels;
import io.dbops.agent.runtime.PodRuntime;
import io.dbops.agent.secrets.PodMaskers;
import io.dbops.agent.secrets.SecretResolver;
import java.util.List;

/** The handlers of every task type of protocol v1. */
public final class TaskHandlers {
  private TaskHandlers() {}

  /**
   * Handlers for init_stage, execute_step, cleanup_stage and noop, shipping the delegate's stage
   * lines through {@code stageLogs}; the caller owns the arguments.
   */
  public static List<TaskHandler> standard(PodRuntime runtime, GrpcChannels liteEngines, SecretResolver secrets,
      StageLogs stageLogs) {
    PodMaskers maskers = new PodMaskers();
    return List.of(
        new InitStageHandler(runtime, secrets, maskers, stageLogs),
        new ExecuteStepHandler(liteEngines, maskers, stageLogs),
        new CleanupStageHandler(runtime, maskers, stageLogs), new NoopHandler());
  }
}
