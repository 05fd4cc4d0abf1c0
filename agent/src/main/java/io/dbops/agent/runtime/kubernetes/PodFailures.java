package io.dbops.agent.runtime.kubernetes;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a build pod's status (pure): whether it is ready, and when it cannot become ready, one
 * operator-facing sentence naming the pod, the container, the image and Kubernetes' reason.
 * Messages come from the pod status only. The one part a container writes is a terminated
 * container's message: with {@code FallbackToLogsOnError} the tail of its log, which the
 * container masked and {@link KubernetesPodRuntime} masks again.
 */
final class PodFailures {
  private static final Set<String> PULL_FAILURES = Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName",
      "ErrImageNeverPull");
  private static final Set<String> CONFIG_FAILURES = Set.of("CreateContainerConfigError", "CreateContainerError",
      "RunContainerError");

  private PodFailures() {}

  /** Ready: it has an IP and every container of its spec reports ready. */
  static boolean isReady(Pod pod) {
    PodStatus status = pod.getStatus();
    if (status == null || status.getPodIP() == null || status.getPodIP().isBlank()) {
      return false;
    }
    List<ContainerStatus> statuses = status.getContainerStatuses();
    return pod.getSpec().getContainers().stream().allMatch(c -> statuses.stream()
        .anyMatch(s -> c.getName().equals(s.getName()) && Boolean.TRUE.equals(s.getReady())));
  }

  /** Why the pod will not become ready, or empty while it still may. */
  static Optional<String> failure(Pod pod) {
    String name = pod.getMetadata().getName();
    PodStatus status = pod.getStatus();
    if (status == null) {
      return Optional.empty();
    }
    if ("Evicted".equals(status.getReason())) {
      return Optional.of("Pod " + name + " was evicted from node " + orUnknown(pod.getSpec().getNodeName()) + ": "
          + orNone(status.getMessage()) + ". The node ran short of resources; raise the stage's resource requests"
          + " or run it again.");
    }
    if ("DeadlineExceeded".equals(status.getReason())) {
      return Optional.of("Pod " + name + " exceeded its deadline of " + pod.getSpec().getActiveDeadlineSeconds()
          + " s (activeDeadlineSeconds, the stage timeout) and Kubernetes stopped it: " + orNone(status.getMessage())
          + ".");
    }
    for (ContainerStatus container : status.getContainerStatuses()) {
      Optional<String> failure = containerFailure(pod, container);
      if (failure.isPresent()) {
        return failure;
      }
    }
    for (PodCondition condition : status.getConditions()) {
      if ("PodScheduled".equals(condition.getType()) && "False".equals(condition.getStatus())
          && "Unschedulable".equals(condition.getReason())) {
        return Optional.of("Pod " + name + " cannot be scheduled (Unschedulable): " + orNone(condition.getMessage())
            + ". Check the stage's node selector, tolerations and resource requests against the cluster's nodes.");
      }
    }
    if ("Failed".equals(status.getPhase())) {
      return Optional.of("Pod " + name + " failed (" + orUnknown(status.getReason()) + "): "
          + orNone(status.getMessage()) + ".");
    }
    if ("Succeeded".equals(status.getPhase())) {
      return Optional.of("Pod " + name + " stopped (every container exited) before it was ready.");
    }
    return Optional.empty();
  }

  /** Which containers are not ready and why, for a timeout: {@code lite-engine (waiting: ContainerCreating)}. */
  static String notReady(Pod pod) {
    PodStatus status = pod.getStatus();
    List<ContainerStatus> statuses = status == null ? List.of() : status.getContainerStatuses();
    List<String> parts = new ArrayList<>();
    for (Container c : pod.getSpec().getContainers()) {
      ContainerStatus s = statuses.stream().filter(x -> c.getName().equals(x.getName())).findFirst().orElse(null);
      if (s == null) {
        parts.add(c.getName() + " (not started)");
      } else if (!Boolean.TRUE.equals(s.getReady())) {
        parts.add(c.getName() + " (" + describe(s.getState()) + ")");
      }
    }
    String phase = status == null || status.getPhase() == null ? "Pending" : status.getPhase();
    if (parts.isEmpty() && (status == null || status.getPodIP() == null)) {
      parts.add("no pod IP yet");
    }
    return "phase " + phase + "; not ready: " + String.join(", ", parts);
  }

  private static Optional<String> containerFailure(Pod pod, ContainerStatus container) {
    String name = pod.getMetadata().getName();
    String image = container.getImage() != null ? container.getImage() : specImage(pod, container.getName());
    ContainerStateTerminated oom = oomKilled(container);
    if (oom != null) {
      return Optional.of("Container " + container.getName() + " of pod " + name + " was killed for running out of"
          + " memory (OOMKilled, memory limit " + memoryLimit(pod, container.getName()) + "). Raise the step's"
          + " memory limit (pod.stepResources of the stage).");
    }
    ContainerState state = container.getState();
    ContainerStateWaiting waiting = state == null ? null : state.getWaiting();
    if (waiting != null && PULL_FAILURES.contains(waiting.getReason())) {
      return Optional.of("Cannot pull image " + image + " for container " + container.getName() + " of pod " + name
          + " (" + waiting.getReason() + ": " + orNone(waiting.getMessage()) + "). Check the image name and tag,"
          + " and the stage's registry credentials (imagePullSecrets).");
    }
    if (waiting != null && CONFIG_FAILURES.contains(waiting.getReason())) {
      return Optional.of("Kubernetes cannot create container " + container.getName() + " of pod " + name
          + " from image " + image + " (" + waiting.getReason() + ": " + orNone(waiting.getMessage()) + "). A Secret"
          + " or key it references (" + BuildPodSecrets.envSecretName(name) + ") may be missing.");
    }
    if (waiting != null && "CrashLoopBackOff".equals(waiting.getReason())) {
      return Optional.of("Container " + container.getName() + " of pod " + name + " (image " + image
          + ") keeps crashing (CrashLoopBackOff: " + orNone(waiting.getMessage()) + ").");
    }
    ContainerStateTerminated terminated = state == null ? null : state.getTerminated();
    if (terminated != null) {
      return Optional.of("Container " + container.getName() + " of pod " + name + " (image " + image
          + ") exited with code " + terminated.getExitCode() + " (" + orUnknown(terminated.getReason()) + ")"
          + " before it was ready" + (terminated.getMessage() == null ? "." : ": " + terminated.getMessage()));
    }
    return Optional.empty();
  }

  private static ContainerStateTerminated oomKilled(ContainerStatus container) {
    for (ContainerState state : new ContainerState[] {container.getState(), container.getLastState()}) {
      if (state != null && state.getTerminated() != null && "OOMKilled".equals(state.getTerminated().getReason())) {
        return state.getTerminated();
      }
    }
    return null;
  }

  private static String describe(ContainerState state) {
    if (state == null) {
      return "no state";
    }
    if (state.getWaiting() != null) {
      return "waiting: " + orUnknown(state.getWaiting().getReason());
    }
    if (state.getTerminated() != null) {
      return "terminated: " + orUnknown(state.getTerminated().getReason());
    }
    return "running, readiness probe not passing";
  }

  private static String specImage(Pod pod, String container) {
    return spec(pod, container).map(Container::getImage).orElse("(unknown image)");
  }

  private static String memoryLimit(Pod pod, String container) {
    Map<String, Quantity> limits = spec(pod, container)
        .map(c -> c.getResources() == null ? null : c.getResources().getLimits()).orElse(null);
    Quantity memory = limits == null ? null : limits.get("memory");
    return memory == null ? "none" : memory.toString();
  }

  private static Optional<Container> spec(Pod pod, String container) {
    return pod.getSpec().getContainers().stream().filter(c -> container.equals(c.getName())).findFirst();
  }

  private static String orUnknown(String s) {
    return s == null || s.isBlank() ? "unknown" : s;
  }

  private static String orNone(String s) {
    return s == null || s.isBlank() ? "no message" : s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }
}
