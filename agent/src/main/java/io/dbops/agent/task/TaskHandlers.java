package io.dbops.agent.task;

import io.dbops.support.GrpcChannels;
import io.dbops.agent.runtime.PodRuntime;
import io.dbops.agent.policy.DelegatePolicy;
import io.dbops.agent.secrets.PodCredentials;
import io.dbops.agent.secrets.PodMaskers;
import io.dbops.agent.secrets.SecretResolver;
import java.util.List;

/** The handlers of every task type of protocol v1. */
public final class TaskHandlers {
  private TaskHandlers() {}

  /**
   * Handlers for init_stage, execute_step, cleanup_stage and noop, shipping the delegate's stage
   * lines through {@code stageLogs}; the caller owns the arguments.
   *
   * @param controlPlaneUrl the log service URL of build pods whose init task names none
   */
  public static List<TaskHandler> standard(PodRuntime runtime, GrpcChannels liteEngines, SecretResolver secrets,
      DelegatePolicy policy, StageLogs stageLogs, String controlPlaneUrl) {
    PodMaskers maskers = new PodMaskers();
    PodCredentials credentials = new PodCredentials();
    return List.of(
        new InitStageHandler(runtime, secrets, maskers, credentials, stageLogs, controlPlaneUrl),
        new ExecuteStepHandler(liteEngines, maskers, credentials, policy, stageLogs),
        new CleanupStageHandler(runtime, maskers, credentials, stageLogs), new NoopHandler());
  }
}
