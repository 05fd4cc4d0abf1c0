package io.dbops.pipeline;

import java.util.Map;

/**
 * One database step.
 *
 * @param type apply, preview, rollback, status, validate, tag, sync, drift or policy
 * @param changelog path of the changelog, relative to {@code searchPath}
 * @param searchPath absolute directory the changelog is resolved against; filled in by
 *     {@link PipelineLoader} from the pipeline file's location
 * @param count for rollback: how many changesets; null when rolling back to a tag
 * @param timeoutSeconds the most the step may run; null means the default (1800)
 * @param nextOnly for sync: mark only the next pending changeset as applied; null means all
 * @param failOnDrift for drift: fail the step when the live schema differs; null means report only
 * @param policyFile for policy: a rule file relative to {@code searchPath}; null means the built-in
 *     rules only
 */
public record Step(
    String name,
    String type,
    String changelog,
    String searchPath,
    String contexts,
    String labels,
    String tag,
    Integer count,
    Map<String, String> parameters,
    Integer timeoutSeconds,
    Boolean nextOnly,
    Boolean failOnDrift,
    String policyFile) {
  public Step {
    parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
  }

  /** A step without the sync, drift and policy options. */
  public Step(String name, String type, String changelog, String searchPath, String contexts,
      String labels, String tag, Integer count, Map<String, String> parameters, Integer timeoutSeconds) {
    this(name, type, changelog, searchPath, contexts, labels, tag, count, parameters, timeoutSeconds,
        null, null, null);
  }

  public Step withSearchPath(String newSearchPath) {
    return new Step(name, type, changelog, newSearchPath, contexts, labels, tag, count, parameters,
        timeoutSeconds, nextOnly, failOnDrift, policyFile);
  }
}
