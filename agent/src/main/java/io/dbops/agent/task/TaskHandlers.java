package io.dbops.agent.task;

import io.dbops.support.GrpcChannels;
import io.dbops.agent.runtime.PodRuntime;
import io.dbops.agent.secrets.PodMaskers;
import io.dbops.agent.secrets.SecretResolver;
import java.time.Duration;
import java.util.List;
import okhttp3.OkHttpClient;

/** The handlers of every task type of protocol v1. */
public final class TaskHandlers {
  private TaskHandlers() {}

  /**
   * Handlers for init_stage, execute_step, cleanup_stage and noop; the caller owns the arguments.
   * The delegate's stage lines are shipped from memory only, over a default HTTP client: prefer
   * the overload with {@link StageLogs} (a spool under the state directory, the delegate's client).
   */
  public static List<TaskHandler> standard(PodRuntime runtime, GrpcChannels liteEngines, SecretResolver secrets) {
    OkHttpClient http = new OkHttpClient.Builder().connectTimeout(Duration.ofSeconds(5))
        .readTimeout(Duration.ofSeconds(15)).writeTimeout(Duration.ofSeconds(15)).build();
    return standard(runtime, liteEngines, secrets, new StageLogs(http, null));
  }

  /** Handlers for every task type, shipping the delegate's stage lines through {@code stageLogs}. */
  public static List<TaskHandler> standard(PodRuntime runtime, GrpcChannels liteEngines, SecretResolver secrets,
      StageLogs stageLogs) {
    PodMaskers maskers = new PodMaskers();
    return List.of(
        new InitStageHandler(runtime, secrets, maskers, stageLogs),
        new ExecuteStepHandler(liteEngines, maskers, stageLogs),
        new CleanupStageHandler(runtime, maskers, stageLogs), new NoopHandler());
  }
}
