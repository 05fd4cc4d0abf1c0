package io.dbops.controlplane.executions;

/** What {@link StageRecovery} asks of the execution state machine ({@link ExecutionProgress}). */
interface StageSteps {
  /** Runs step {@code stepIndex} of stage {@code si} (again) in the stage's build pod. */
  void startStep(ExecutionRecord ex, int si, int stepIndex);

  /** Marks the stage failed, skips its pending steps from {@code firstSkipped}, and deletes the pod. */
  void failStage(ExecutionRecord ex, ExecutionState.StageState s, int firstSkipped, String stageError,
      String executionError);
}
