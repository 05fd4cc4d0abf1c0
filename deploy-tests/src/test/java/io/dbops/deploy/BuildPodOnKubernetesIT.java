package io.dbops.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dbops.agent.task.TaskOutcome;
import io.dbops.protocol.CleanupStagePayload;
import io.dbops.protocol.ExecuteStepPayload;
import io.dbops.protocol.InitStageOutput;
import io.dbops.protocol.InitStagePayload;
import io.dbops.protocol.StepOutput;
import io.dbops.protocol.TaskStatus;
import io.dbops.protocol.TaskTypes;
import io.dbops.support.Json;
import io.dbops.testsupport.Ports;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
/**
 * The delegate's Kubernetes runtime against a real API server ({@link BuildPodOnKubernetesFixture}): a
 * whole stage (init, clone, apply to PostgreSQL, cleanup) passes the API server's validation,
 * admission and RBAC; an invalid pod setting gets the server's own 422 on the execution; the env
 * Secret is immutable for real.
 */
class BuildPodOnKubernetesIT extends BuildPodOnKubernetesFixture {
  @Test
  void aWholeStageRunsWithTheChartsRoleAndTheRealApiServersValidation() throws Exception {
    Path repo = gitRepository();
    Path pipelineDir = work.resolve("pipeline"); // the submitting machine's directory: not in the pod
    int basePort = Ports.freeRange(3);
    handlers(basePort, Map.of("DBOPS_ALLOW_SECRET_KUBERNETES", "orders-db",
        "DBOPS_ALLOW_HOSTS", "127.0.0.1:*,localhost:*", "DBOPS_ALLOW_GIT_URLS", repo.toUri() + "**"));

    TaskOutcome init = run(TaskTypes.INIT_STAGE, initPayload(2, null));
    assertThat(init.status()).as(init.error() + "\n" + kubelet.output(POD)).isEqualTo(TaskStatus.SUCCEEDED);
    InitStageOutput pod = Json.convert(init.output(), InitStageOutput.class);
    assertThat(pod.liteEngineAddress()).isEqualTo("127.0.0.1:" + basePort);

    // what the API server stored: bound to the node, Running and Ready, the Secret owned by the pod
    Pod stored = admin.pods().inNamespace(builds).withName(POD).get();
    assertThat(stored.getSpec().getNodeName()).isEqualTo(SimulatedKubelet.NODE);
    assertThat(stored.getStatus().getPhase()).isEqualTo("Running");
    assertThat(stored.getStatus().getConditions()).filteredOn(c -> c.getType().equals("Ready"))
        .extracting(PodCondition::getStatus).containsExactly("True");
    assertThat(stored.getSpec().getContainers()).allSatisfy(c -> assertThat(c.getReadinessProbe().getTcpSocket()
        .getPort().getIntVal()).isEqualTo(c.getPorts().get(0).getContainerPort()));
    Secret env = admin.secrets().inNamespace(builds).withName(POD + "-env").get();
    assertThat(env.getImmutable()).isTrue();
    assertThat(env.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo(stored.getMetadata().getUid()));
    // the password reached the containers through secretKeyRef only
    assertThat(kubelet.environment(POD, "step-1")).containsEntry("DBOPS_DB_PASSWORD", password);
    assertThat(io.fabric8.kubernetes.client.utils.Serialization.asYaml(stored)).doesNotContain(password);

    // immutable: the API server refuses to change the Secret's data (even for the cluster admin)
    env.setData(Map.of("DBOPS_DB_PASSWORD", "Y2hhbmdlZA=="));
    assertThatThrownBy(() -> admin.secrets().inNamespace(builds).resource(env).update())
        .isInstanceOf(KubernetesClientException.class)
        .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(422))
        .hasMessageContaining("field is immutable when `immutable` is set");

    TaskOutcome clone = run(TaskTypes.EXECUTE_STEP, new ExecuteStepPayload("e1", "dev", "fetch", POD,
        pod.liteEngineAddress(), pod.stepPorts().get(0),
        new ExecuteStepPayload.StepSpec("clone", null, pipelineDir.toString(), null, null, null, null, null, null, 0,
            Map.of(), null, false, false, null, false,
            new ExecuteStepPayload.GitSpec(repo.toUri().toString(), "main", "checkout", 0, null, null)),
        logStream("fetch")));
    assertThat(clone.status()).as(clone.error() + "\n" + kubelet.output(POD)).isEqualTo(TaskStatus.SUCCEEDED);
    TaskOutcome apply = run(TaskTypes.EXECUTE_STEP, new ExecuteStepPayload("e1", "dev", "apply", POD,
        pod.liteEngineAddress(), pod.stepPorts().get(1),
        new ExecuteStepPayload.StepSpec("apply", "checkout/changelog.yaml", pipelineDir.toString(), db.jdbcUrl(),
            db.username(), "DBOPS_DB_PASSWORD", null, null, null, 0, Map.of(), null),
        logStream("apply")));
    assertThat(apply.status()).as(apply.error() + "\n" + kubelet.output(POD)).isEqualTo(TaskStatus.SUCCEEDED);
    assertThat(Json.convert(apply.output(), StepOutput.class).changesets()).extracting(StepOutput.ChangeSet::id)
        .contains("create-orders");
    assertThat(db.tableExists("orders")).isTrue();

    // cleanup: the delete of a bound pod is graceful; the kubelet stops the containers and finishes it
    TaskOutcome cleanup = run(TaskTypes.CLEANUP_STAGE, new CleanupStagePayload("e1", "dev", POD));
    assertThat(cleanup.status()).as(cleanup.error()).isEqualTo(TaskStatus.SUCCEEDED);
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
      assertThat(admin.pods().inNamespace(builds).list().getItems()).isEmpty();
      assertThat(admin.secrets().inNamespace(builds).withLabel("app.kubernetes.io/managed-by", "dbops-delegate")
          .list().getItems()).isEmpty();
    });
    await().atMost(Duration.ofSeconds(30)).until(() -> !kubelet.running(POD));
  }

  @Test
  void anInvalidPodSettingFailsInitWithTheApiServersOwn422AndLeavesNothingBehind() throws Exception {
    handlers(Ports.freeRange(2), Map.of("DBOPS_ALLOW_SECRET_KUBERNETES", "orders-db"));
    // a request above its limit: Fabric8 and the delegate accept it, only the API server's validation refuses it
    InitStagePayload.PodSettings invalid = new InitStagePayload.PodSettings(null, null, null, null, null,
        List.of(new InitStagePayload.Resources("2", "64Mi", "1", "128Mi")));

    TaskOutcome init = run(TaskTypes.INIT_STAGE, initPayload(1, invalid));

    assertThat(init.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(init.error()).contains("Kubernetes refused pod " + POD + " or its Secrets in namespace " + builds
            + " (HTTP 422)")
        .contains("Pod \"" + POD + "\" is invalid: spec.containers[1].resources.requests: Invalid value: \"2\":"
            + " must be less than or equal to cpu limit")
        .doesNotContain(password);
    // the Secrets created before the pod are deleted again
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
        assertThat(admin.secrets().inNamespace(builds).withLabel("app.kubernetes.io/managed-by", "dbops-delegate")
            .list().getItems()).isEmpty());
    assertThat(admin.pods().inNamespace(builds).list().getItems()).isEmpty();
  }
}
