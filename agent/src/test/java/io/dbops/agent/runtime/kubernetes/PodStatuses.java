package io.dbops.agent.runtime.kubernetes;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import java.util.List;
import java.util.function.Predicate;

/** Pod statuses as a kubelet and scheduler report them, for injecting into the mock API. */
final class PodStatuses {
  private PodStatuses() {}

  /** Running, with an IP; the containers matching {@code ready} report ready, the others running but not ready. */
  static PodStatus running(Pod pod, String podIp, Predicate<String> ready) {
    List<ContainerStatus> containers = pod.getSpec().getContainers().stream()
        .map(c -> new ContainerStatusBuilder().withName(c.getName()).withImage(c.getImage())
            .withReady(ready.test(c.getName())).withStarted(true)
            .withNewState().withNewRunning().withStartedAt("2026-01-01T00:00:00Z").endRunning().endState()
            .build())
        .toList();
    return new PodStatusBuilder().withPhase("Running").withPodIP(podIp).withContainerStatuses(containers)
        .addNewCondition().withType("PodScheduled").withStatus("True").endCondition()
        .addNewCondition().withType("Ready").withStatus(ready.test("*") ? "True" : "False").endCondition()
        .build();
  }

  static PodStatus allReady(Pod pod, String podIp) {
    return running(pod, podIp, name -> true);
  }
}
