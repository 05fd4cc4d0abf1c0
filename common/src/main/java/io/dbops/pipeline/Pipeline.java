package io.dbops.pipeline;

import java.util.List;

/**
 * A pipeline as its author writes it (YAML or JSON, see {@code docs/pipelines.md}): stages run in
 * order, each against one database, each with steps run in order.
 */
public record Pipeline(String name, List<Stage> stages) {
  public Pipeline {
    stages = stages == null ? List.of() : List.copyOf(stages);
  }

  /** This pipeline with {@code newStages}, everything else kept. */
  public Pipeline withStages(List<Stage> newStages) {
    return new Pipeline(name, newStages);
  }
}
