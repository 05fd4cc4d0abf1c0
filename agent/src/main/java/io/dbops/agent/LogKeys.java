package io.dbops.agent;

/** MDC keys of the delegate's log lines, defined once. */
public final class LogKeys {
  public static final String TASK_ID = "taskId";
  public static final String TASK_TYPE = "taskType";
  public static final String ATTEMPT = "attempt";
  public static final String EXECUTION_ID = "executionId";
  public static final String POD = "pod";

  private LogKeys() {}
}
