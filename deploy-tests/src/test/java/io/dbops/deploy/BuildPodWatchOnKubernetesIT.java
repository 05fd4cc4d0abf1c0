package io.dbops.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dbops.agent.task.TaskOutcome;
import io.dbops.protocol.CleanupStagePayload;
import io.dbops.protocol.TaskStatus;
import io.dbops.protocol.TaskTypes;
import io.dbops.testsupport.Ports;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
/**
 * Real watch behaviour ({@link BuildPodOnKubernetesFixture}): the runtime's readiness wait survives the
 * API server closing its watch mid-wait (restarted on the same port and store), where resuming the
 * watch gets {@code 410 Gone}.
 */
class BuildPodWatchOnKubernetesIT extends BuildPodOnKubernetesFixture {
  @Test
  void theReadinessWaitSurvivesTheApiServerClosingItsWatchMidWait() throws Exception {
    handlers(Ports.freeRange(2), Map.of("DBOPS_ALLOW_SECRET_KUBERNETES", "orders-db"));
    kubelet.hold(); // the containers start, the pod stays not ready
    CompletableFuture<TaskOutcome> init = CompletableFuture.supplyAsync(() -> {
      try {
        return run(TaskTypes.INIT_STAGE, initPayload(1, null));
      } catch (Exception e) {
        throw new CompletionException(e);
      }
    });
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
      Pod pod = admin.pods().inNamespace(builds).withName(POD).get();
      return pod != null && pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase());
    });

    String seen = admin.pods().inNamespace(builds).withName(POD).get().getMetadata().getResourceVersion();
    // a write after the pod's last event: the restarted server's watch cache starts after that event
    admin.configMaps().inNamespace(builds).resource(new ConfigMapBuilder().withNewMetadata().withName("marker")
        .endMetadata().build()).create();

    // the API server stops (closing the runtime's watch) and comes back on the same port and store
    RealKubernetes.restartApiServer(kubeconfig);
    // where the runtime's informer resumes, a watch is now refused: 410 Gone (it must relist)
    CompletableFuture<WatcherException> closed = new CompletableFuture<>();
    try (Watch ignored = admin.pods().inNamespace(builds).withResourceVersion(seen).watch(new Watcher<Pod>() {
      @Override
      public void eventReceived(Action action, Pod pod) {}

      @Override
      public void onClose(WatcherException e) {
        closed.complete(e);
      }
    })) {
      WatcherException gone = closed.get(60, TimeUnit.SECONDS);
      assertThat(gone.isHttpGone()).as(gone.getMessage()).isTrue();
      assertThat(gone).hasMessageContaining("too old resource version: " + seen);
    }
    assertThat(init).isNotDone();
    kubelet.release(); // now the containers turn ready: an event the runtime sees only on a new watch

    TaskOutcome outcome = init.get(150, TimeUnit.SECONDS);
    assertThat(outcome.status()).as(outcome.error() + "\n" + kubelet.output(POD)).isEqualTo(TaskStatus.SUCCEEDED);
    assertThat(run(TaskTypes.CLEANUP_STAGE, new CleanupStagePayload("e1", "dev", POD)).status())
        .isEqualTo(TaskStatus.SUCCEEDED);
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
        .until(() -> admin.pods().inNamespace(builds).list().getItems().isEmpty());
  }
}
