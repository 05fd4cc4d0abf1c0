package io.dbops.controlplane.executions;

import io.dbops.pipeline.Stage;
import io.dbops.protocol.StepOutput;

/**
 * A finished step, as {@link ExecutionListener}s see it.
 *
 * @param origin who started the execution; null for executions stored before origins were recorded
 * @param stage the stage as it ran (its stored target resolved: {@code stage.target()} names it,
 *     {@code stage.database()} holds its URL without a password)
 * @param stepType the step's type ({@code apply}, {@code status}, ...; {@code rollback} for a
 *     stage's recovery rollback)
 * @param output the step container's output; null when the step never reached one (for example
 *     its delegate died)
 */
public record StepFinished(
    String executionId, ExecutionOrigin origin, Stage stage, String stepName, String stepType,
    boolean succeeded, StepOutput output) {}
