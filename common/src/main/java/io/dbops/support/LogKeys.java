package io.dbops.support;

/**
 * MDC keys of every process's log lines, defined once so that a log search for one task or
 * execution finds the delegate's, the control plane's and the build pod's lines alike. Set them
 * with {@code MDC.putCloseable}; copy the MDC into work handed to another thread.
 */
public final class LogKeys {
  public static final String TASK_ID = "taskId";
  public static final String TASK_TYPE = "taskType";
  public static final String ATTEMPT = "attempt";
  public static final String EXECUTION_ID = "executionId";
  public static final String POD = "pod";
  public static final String STEP_ID = "stepId";
  public static final String DELEGATE_ID = "delegateId";
  public static final String REQUEST_ID = "requestId";

  private LogKeys() {}
}
