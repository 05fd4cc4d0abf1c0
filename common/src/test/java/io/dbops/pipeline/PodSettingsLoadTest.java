package io.dbops.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code pod:} block and step {@code resources} as written in a pipeline file. */
class PodSettingsLoadTest {
  @TempDir Path dir;

  @Test
  void readsThePodBlockAndStepResourcesAndKeepsThemWhenPathsAreResolved() throws Exception {
    Path file = Files.writeString(dir.resolve("pipeline.yaml"), """
        name: orders
        stages:
          - name: dev
            database: {url: "jdbc:postgresql://db:5432/orders", passwordFrom: '<+secrets.getValue("orders_pw")>'}
            pod:
              serviceAccount: dbops-build
              nodeSelector: {pool: db}
              tolerations: [{key: dedicated, operator: Equal, value: db, effect: NoExecute, tolerationSeconds: 60}]
              imagePullPolicy: IfNotPresent
              registryCredentials:
                - {registry: registry.example.com, username: robot, passwordFrom: "kubernetes:regcred/password"}
            steps:
              - name: apply
                type: apply
                changelog: changelog.xml
                resources: {cpuRequest: 250m, memoryRequest: 512Mi, cpuLimit: "1", memoryLimit: 1Gi}
        """);
    Pipeline pipeline = new PipelineLoader().load(file);
    Stage stage = pipeline.stages().get(0);
    assertThat(stage.pod().serviceAccount()).isEqualTo("dbops-build");
    assertThat(stage.pod().nodeSelector()).containsEntry("pool", "db");
    assertThat(stage.pod().tolerations().get(0).tolerationSeconds()).isEqualTo(60L);
    assertThat(stage.pod().registryCredentials().get(0).passwordFrom()).isEqualTo("kubernetes:regcred/password");
    assertThat(stage.steps().get(0).resources()).isEqualTo(new StepResources("250m", "512Mi", "1", "1Gi"));
    assertThat(stage.steps().get(0).searchPath()).isEqualTo(dir.toAbsolutePath().toString());
    assertThat(stage.database().passwordFrom()).isEqualTo("<+secrets.getValue(\"orders_pw\")>");
  }
}
