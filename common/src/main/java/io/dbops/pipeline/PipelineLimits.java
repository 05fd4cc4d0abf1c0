package io.dbops.pipeline;

import io.dbops.config.EnvReader;

/**
 * Ceilings on the size of a pipeline, so that one submission cannot queue unbounded work.
 *
 * @param maxStages stages per pipeline ({@code DBOPS_MAX_STAGES}, default {@value #DEFAULT_MAX_STAGES})
 * @param maxSteps steps per stage ({@code DBOPS_MAX_STEPS}, default {@value #DEFAULT_MAX_STEPS})
 */
public record PipelineLimits(int maxStages, int maxSteps) {
  public static final int DEFAULT_MAX_STAGES = 20;
  public static final int DEFAULT_MAX_STEPS = 50;
  public static final PipelineLimits DEFAULTS = new PipelineLimits(DEFAULT_MAX_STAGES, DEFAULT_MAX_STEPS);
  /** No ceiling: for checks made before submitting, where the server's own ceilings apply. */
  public static final PipelineLimits NONE = new PipelineLimits(Integer.MAX_VALUE, Integer.MAX_VALUE);

  public PipelineLimits {
    if (maxStages < 1 || maxSteps < 1) {
      throw new IllegalArgumentException("pipeline ceilings must be at least 1");
    }
  }

  /** Reads the settings; malformed values become problems of {@code env}. */
  public static PipelineLimits fromEnvironment(EnvReader env) {
    return new PipelineLimits(
        env.integer("DBOPS_MAX_STAGES", DEFAULT_MAX_STAGES, 1, 10_000),
        env.integer("DBOPS_MAX_STEPS", DEFAULT_MAX_STEPS, 1, 10_000));
  }
}
