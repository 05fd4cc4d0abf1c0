package io.dbops.pipeline;

import io.dbops.secrets.SecretSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Where a pipeline names secret sources ({@code passwordFrom} of a stage's database, of its
 * registry credentials and of clone steps): for validation and for the control plane's check that
 * store secrets exist. Pure.
 */
public final class PipelineSecrets {
  private PipelineSecrets() {}

  /**
   * One {@code passwordFrom} of a pipeline.
   *
   * @param where the field, for example {@code stages[0].database.passwordFrom}
   * @param text the source as written (never a value)
   */
  public record Reference(String where, String text) {}

  /** Every non-null {@code passwordFrom}, in file order. Empty stages and steps are skipped. */
  public static List<Reference> references(Pipeline pipeline) {
    List<Reference> refs = new ArrayList<>();
    if (pipeline == null) {
      return refs;
    }
    for (int i = 0; i < pipeline.stages().size(); i++) {
      Stage stage = pipeline.stages().get(i);
      if (stage == null) {
        continue;
      }
      String where = "stages[" + i + "]";
      if (stage.database() != null && stage.database().passwordFrom() != null) {
        refs.add(new Reference(where + ".database.passwordFrom", stage.database().passwordFrom()));
      }
      if (stage.pod() != null) {
        for (int k = 0; k < stage.pod().registryCredentials().size(); k++) {
          StagePod.RegistryCredential c = stage.pod().registryCredentials().get(k);
          if (c != null && c.passwordFrom() != null) {
            refs.add(new Reference(where + ".pod.registryCredentials[" + k + "].passwordFrom", c.passwordFrom()));
          }
        }
      }
      for (int j = 0; j < stage.steps().size(); j++) {
        Step step = stage.steps().get(j);
        if (step != null && step.passwordFrom() != null) {
          refs.add(new Reference(where + ".steps[" + j + "].passwordFrom", step.passwordFrom()));
        }
      }
    }
    return refs;
  }

  /** The names of the store secrets ({@code <+secrets.getValue("name")>}) the pipeline uses. */
  public static Set<String> storeNames(Pipeline pipeline) {
    Set<String> names = new LinkedHashSet<>();
    for (Reference ref : references(pipeline)) {
      SecretSource.parse(ref.text()).filter(s -> s.kind() == SecretSource.Kind.STORE)
          .ifPresent(s -> names.add(s.name()));
    }
    return names;
  }
}
