package io.dbops.protocol;

import java.util.List;

/** The task types of protocol version 1. */
public final class TaskTypes {
  /** Creates the build pod of a stage. Payload {@link InitStagePayload}, output {@link InitStageOutput}. */
  public static final String INIT_STAGE = "init_stage";
  /** Runs one step in a build pod. Payload {@link ExecuteStepPayload}, output {@link StepOutput}. */
  public static final String EXECUTE_STEP = "execute_step";
  /** Deletes the build pod of a stage. Payload {@link CleanupStagePayload}, no output. */
  public static final String CLEANUP_STAGE = "cleanup_stage";

  /**
   * Does nothing but wait {@code sleepMillis} (payload {@code {"sleepMillis": N}}, default 0) and
   * succeed. For diagnostics and benchmarks of the dispatch path itself.
   */
  public static final String NOOP = "noop";

  public static final List<String> ALL = List.of(INIT_STAGE, EXECUTE_STEP, CLEANUP_STAGE, NOOP);

  private TaskTypes() {}
}
