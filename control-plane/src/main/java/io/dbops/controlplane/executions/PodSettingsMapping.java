package io.dbops.controlplane.executions;

import io.dbops.pipeline.Stage;
import io.dbops.pipeline.StagePod;
import io.dbops.pipeline.Step;
import io.dbops.pipeline.StepResources;
import io.dbops.protocol.InitStagePayload;
import io.dbops.protocol.InitStagePayload.PodSettings;
import java.util.ArrayList;
import java.util.List;

/**
 * A stage's {@code pod:} block and its steps' {@code resources} as the init_stage payload's
 * {@link PodSettings}. Registry passwords stay secret sources (expressions); store ones are sealed
 * at assignment like the database password. Pure.
 */
final class PodSettingsMapping {
  private static final InitStagePayload.Resources NO_RESOURCES =
      new InitStagePayload.Resources(null, null, null, null);

  private PodSettingsMapping() {}

  static PodSettings of(Stage stage) {
    StagePod pod = stage.pod();
    List<InitStagePayload.Resources> resources = new ArrayList<>();
    boolean anyResources = false;
    for (Step step : stage.steps()) {
      if ("approval".equals(step.type())) {
        continue; // no container: it runs nothing in the pod
      }
      StepResources r = step.resources();
      anyResources |= r != null;
      resources.add(r == null ? NO_RESOURCES
          : new InitStagePayload.Resources(r.cpuRequest(), r.memoryRequest(), r.cpuLimit(), r.memoryLimit()));
    }
    if (pod == null && !anyResources) {
      return PodSettings.DEFAULTS;
    }
    if (pod == null) {
      return new PodSettings(null, null, null, null, null, resources);
    }
    List<InitStagePayload.Toleration> tolerations = pod.tolerations().stream()
        .map(t -> new InitStagePayload.Toleration(t.key(), t.operator(), t.value(), t.effect(),
            t.tolerationSeconds()))
        .toList();
    List<InitStagePayload.RegistryCredential> credentials = pod.registryCredentials().stream()
        .map(c -> new InitStagePayload.RegistryCredential(c.registry(), c.username(),
            new InitStagePayload.SecretEnv(null, c.passwordFrom())))
        .toList();
    return new PodSettings(pod.serviceAccount(), pod.nodeSelector(), tolerations, pod.imagePullPolicy(),
        credentials, anyResources ? resources : List.of());
  }
}
