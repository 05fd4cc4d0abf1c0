package io.dbops.pipeline;

import java.util.List;

/**
 * One stage: a build pod, a target database and its steps.
 *
 * @param delegateSelectors tags a delegate must all have to run this stage; may be empty
 * @param timeoutSeconds the most the stage's build pod may live; 0 means the default (3600)
 */
public record Stage(
    String name, Database database, List<Step> steps, List<String> delegateSelectors,
    int timeoutSeconds) {
  public Stage {
    steps = steps == null ? List.of() : List.copyOf(steps);
    delegateSelectors = delegateSelectors == null ? List.of() : List.copyOf(delegateSelectors);
  }
}
