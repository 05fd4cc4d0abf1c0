package io.dbops.controlplane.catalog;

import io.dbops.pipeline.Pipeline;
import io.dbops.pipeline.Stage;
import java.util.List;

/**
 * A pipeline stored by name (docs/environments.md): declared inputs, and stages that name a stored
 * target instead of a database. Each change of its content is a new version.
 */
public record StoredPipeline(String name, String description, List<PipelineInput> inputs,
    List<Stage> stages) {
  public StoredPipeline {
    inputs = inputs == null ? List.of() : List.copyOf(inputs);
    stages = stages == null ? List.of() : List.copyOf(stages);
  }

  /** The stages as a pipeline, targets not yet resolved. */
  public Pipeline pipeline() {
    return new Pipeline(name, stages);
  }
}
