package io.dbops.pipeline;

import java.util.List;

/**
 * One stage: a build pod, a target database and its steps.
 *
 * @param delegateSelectors tags a delegate must all have to run this stage; may be empty
 * @param timeoutSeconds the most the stage's build pod may live; 0 means the default (3600)
 * @param pod Kubernetes settings of the build pod; null for none
 */
public record Stage(
    String name, Database database, List<Step> steps, List<String> delegateSelectors,
    int timeoutSeconds, StagePod pod) {
  public Stage {
    steps = steps == null ? List.of() : List.copyOf(steps);
    delegateSelectors = delegateSelectors == null ? List.of() : List.copyOf(delegateSelectors);
  }

  /** A stage without pod settings. */
  public Stage(String name, Database database, List<Step> steps, List<String> delegateSelectors,
      int timeoutSeconds) {
    this(name, database, steps, delegateSelectors, timeoutSeconds, null);
  }

  /** This stage with {@code newSteps}, everything else kept. */
  public Stage withSteps(List<Step> newSteps) {
    return new Stage(name, database, newSteps, delegateSelectors, timeoutSeconds, pod);
  }

  /** This stage against {@code newDatabase}, everything else kept. */
  public Stage withDatabase(Database newDatabase) {
    return new Stage(name, newDatabase, steps, delegateSelectors, timeoutSeconds, pod);
  }
}
