package io.dbops.pipeline;

import java.util.Map;

/**
 * One database step.
 *
 * @param type apply, preview, rollback, status, validate or tag
 * @param changelog path of the changelog, relative to {@code searchPath}
 * @param searchPath absolute directory the changelog is resolved against; filled in by
 *     {@link PipelineLoader} from the pipeline file's location
 * @param count for rollback: how many changesets; null when rolling back to a tag
 * @param timeoutSeconds the most the step may run; null means the default (1800)
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
    Integer timeoutSeconds) {
  public Step {
    parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
  }

  public Step withSearchPath(String newSearchPath) {
    return new Step(name, type, changelog, newSearchPath, contexts, labels, tag, count, parameters,
        timeoutSeconds);
  }
}
