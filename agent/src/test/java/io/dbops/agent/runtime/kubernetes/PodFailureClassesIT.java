package io.dbops.agent.runtime.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dbops.agent.runtime.PodException;
import io.dbops.protocol.InitStagePayload;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each way a build pod fails to start, injected by updating its status in the mock API as the
 * kubelet or scheduler would: the init fails with its specific message, well within the readiness
 * deadline (the watch sees it; nothing waits the deadline out), and the pod and its Secrets are gone.
 */
class PodFailureClassesIT {
  private static final Duration DEADLINE = Duration.ofSeconds(30);
  /** A failure must be reported well before the deadline: it is seen, not timed out. */
  private static final Duration PROMPT = Duration.ofSeconds(10);
  private static final String IMAGE = "registry.example.com/dbops/dbops:0.1.0";

  private MockKubernetes kubernetes;
  private KubernetesClient client;
  private KubernetesPodRuntime runtime;
  private final ExecutorService background = Executors.newCachedThreadPool();

  @BeforeEach
  void start() {
    kubernetes = new MockKubernetes();
    client = kubernetes.newClient();
    runtime = new KubernetesPodRuntime(client,
        KubernetesPodRuntimeIT.settings("dc1", "i-1").withReadyTimeout(DEADLINE), Clock.systemUTC());
  }

  @AfterEach
  void stop() {
    runtime.close();
    background.shutdownNow();
    client.close();
    kubernetes.close();
  }

  @Test
  void imagePullFailureNamesTheImageAndReason() throws Exception {
    String message = failureAfter(pod -> withContainer(pod, "step-1", waiting("ImagePullBackOff",
        "Back-off pulling image \"" + IMAGE + "\"")));

    assertThat(message).isEqualTo("Cannot pull image " + IMAGE + " for container step-1 of pod p1 (ImagePullBackOff:"
        + " Back-off pulling image \"" + IMAGE + "\"). Check the image name and tag, and the stage's registry"
        + " credentials (imagePullSecrets).");
  }

  @Test
  void errImagePullIsReportedToo() throws Exception {
    String message = failureAfter(pod -> withContainer(pod, "lite-engine", waiting("ErrImagePull",
        "rpc error: code = NotFound desc = manifest unknown")));

    assertThat(message).startsWith("Cannot pull image " + IMAGE + " for container lite-engine of pod p1 (ErrImagePull:"
        + " rpc error: code = NotFound desc = manifest unknown)");
  }

  @Test
  void unschedulablePodCarriesTheSchedulersMessage() throws Exception {
    String message = failureAfter(pod -> new PodStatusBuilder().withPhase("Pending")
        .addNewCondition().withType("PodScheduled").withStatus("False").withReason("Unschedulable")
        .withMessage("0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.").endCondition()
        .build());

    assertThat(message).isEqualTo("Pod p1 cannot be scheduled (Unschedulable): 0/3 nodes are available: 3 node(s)"
        + " didn't match Pod's node affinity/selector. Check the stage's node selector, tolerations and resource"
        + " requests against the cluster's nodes.");
  }

  @Test
  void createContainerConfigErrorPointsAtTheSecret() throws Exception {
    String message = failureAfter(pod -> withContainer(pod, "step-1", waiting("CreateContainerConfigError",
        "secret \"p1-env\" not found")));

    assertThat(message).isEqualTo("Kubernetes cannot create container step-1 of pod p1 from image " + IMAGE
        + " (CreateContainerConfigError: secret \"p1-env\" not found). A Secret or key it references (p1-env) may"
        + " be missing.");
  }

  @Test
  void oomKilledNamesTheContainerAndItsLimit() throws Exception {
    String message = failureAfter(pod -> {
      PodStatus status = PodStatuses.running(pod, "10.0.0.1", name -> !name.equals("step-1"));
      status.getContainerStatuses().set(1, new ContainerStatusBuilder().withName("step-1").withImage(IMAGE)
          .withReady(false).withNewState().withNewTerminated().withReason("OOMKilled").withExitCode(137)
          .endTerminated().endState().build());
      return status;
    });

    assertThat(message).isEqualTo("Container step-1 of pod p1 was killed for running out of memory (OOMKilled,"
        + " memory limit 1Gi). Raise the step's memory limit (pod.stepResources of the stage).");
  }

  @Test
  void aContainerThatExitsReportsTheTailOfItsLogMasked() throws Exception {
    // What Kubernetes puts in the message with terminationMessagePolicy FallbackToLogsOnError.
    String logTail = "Invalid configuration:\n  - DBOPS_STEP_DURABILITY must be 'step' or 'changeset', was 'fsync'\n"
        + "connecting with never-shown-77";
    String message = failureAfter(pod -> {
      PodStatus status = PodStatuses.running(pod, "10.0.0.1", name -> !name.equals("step-1"));
      status.getContainerStatuses().set(1, new ContainerStatusBuilder().withName("step-1").withImage(IMAGE)
          .withReady(false).withNewState().withNewTerminated().withReason("Error").withExitCode(78)
          .withMessage(logTail).endTerminated().endState().build());
      return status;
    });

    assertThat(message).startsWith("Container step-1 of pod p1 (image " + IMAGE + ") exited with code 78 (Error)"
        + " before it was ready: Invalid configuration:")
        .contains("DBOPS_STEP_DURABILITY must be 'step' or 'changeset'")
        .doesNotContain("never-shown-77").contains("connecting with " + io.dbops.support.Secrets.MASK);
  }

  @Test
  void evictionIsReportedWithTheKubeletsMessage() throws Exception {
    String message = failureAfter(pod -> new PodStatusBuilder().withPhase("Failed").withReason("Evicted")
        .withMessage("The node was low on resource: ephemeral-storage.").build());

    assertThat(message).startsWith("Pod p1 was evicted from node").contains(
        ": The node was low on resource: ephemeral-storage. The node ran short of resources");
  }

  @Test
  void deadlineExceededNamesTheStageTimeout() throws Exception {
    String message = failureAfter(pod -> new PodStatusBuilder().withPhase("Failed").withReason("DeadlineExceeded")
        .withMessage("Pod was active on the node longer than the specified deadline").build());

    assertThat(message).isEqualTo("Pod p1 exceeded its deadline of 600 s (activeDeadlineSeconds, the stage timeout)"
        + " and Kubernetes stopped it: Pod was active on the node longer than the specified deadline.");
  }

  @Test
  void aPodDeletedUnderneathFailsTheInitAtOnce() throws Exception {
    CompletableFuture<Void> started = startInBackground(runtime);
    await().atMost(Duration.ofSeconds(10)).until(() -> kubernetes.pod("p1") != null);
    long before = System.nanoTime();

    kubernetes.client().pods().inNamespace(MockKubernetes.NAMESPACE).withName("p1").delete();

    assertThat(failure(started)).isEqualTo("Pod p1 in namespace builds was deleted while it was starting (by another"
        + " client, an operator, or with its namespace); no step ran.");
    assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(PROMPT);
    assertSecretsGone();
  }

  @Test
  void aPodNotReadyByTheDeadlineListsTheContainersNotReady() throws Exception {
    runtime.close();
    runtime = new KubernetesPodRuntime(client,
        KubernetesPodRuntimeIT.settings("dc1", "i-1").withReadyTimeout(Duration.ofSeconds(3)), Clock.systemUTC());
    CompletableFuture<Void> started = startInBackground(runtime);
    await().atMost(Duration.ofSeconds(10)).until(() -> kubernetes.pod("p1") != null);
    Pod pod = kubernetes.pod("p1");
    kubernetes.setStatus("p1", s -> PodStatuses.running(pod, "10.0.0.1", name -> name.equals("lite-engine")));

    String message = failure(started);

    assertThat(message).matches("Pod p1 in namespace builds was not ready within [34] s \\(phase Running; not ready:"
        + " step-1 \\(running, readiness probe not passing\\)\\)\\. See kubectl describe pod p1 -n builds\\.");
    assertSecretsGone();
  }

  /** Starts pod p1, injects the status once the pod exists, and returns the init's error message. */
  private String failureAfter(Function<Pod, PodStatus> status) throws Exception {
    CompletableFuture<Void> started = startInBackground(runtime);
    await().atMost(Duration.ofSeconds(10)).until(() -> kubernetes.pod("p1") != null);
    Pod pod = kubernetes.pod("p1");
    long before = System.nanoTime();

    kubernetes.setStatus("p1", s -> status.apply(pod));

    String message = failure(started);
    assertThat(Duration.ofNanos(System.nanoTime() - before)).as("reported promptly, not at the deadline")
        .isLessThan(PROMPT);
    assertSecretsGone();
    assertThat(kubernetes.pod("p1")).as("a pod that cannot start is deleted").isNull();
    return message;
  }

  private void assertSecretsGone() {
    assertThat(client.secrets().inNamespace(MockKubernetes.NAMESPACE).list().getItems()).isEmpty();
  }

  private CompletableFuture<Void> startInBackground(KubernetesPodRuntime runtime) {
    InitStagePayload payload = new InitStagePayload("e1", "dev", "p1", IMAGE, 1, Map.of(),
        List.of(new InitStagePayload.SecretEnv("DB_PASSWORD", "env:X")), 600);
    return CompletableFuture.runAsync(() -> {
      try {
        runtime.start(payload, new io.dbops.agent.secrets.PodSecrets(Map.of("DB_PASSWORD", "never-shown-77"),
            List.of()));
      } catch (Exception e) {
        throw new java.util.concurrent.CompletionException(e);
      }
    }, background);
  }

  private static String failure(CompletableFuture<Void> started) throws Exception {
    try {
      started.get(DEADLINE.plusSeconds(10).toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(PodException.class);
      assertThat(e.getCause().getMessage()).doesNotContain("never-shown-77");
      return e.getCause().getMessage();
    }
    throw new AssertionError("the pod started");
  }

  private static PodStatus withContainer(Pod pod, String container, ContainerStatus status) {
    PodStatus s = PodStatuses.running(pod, null, name -> false);
    s.setPhase("Pending");
    List<ContainerStatus> all = new java.util.ArrayList<>(s.getContainerStatuses());
    all.replaceAll(c -> c.getName().equals(container) ? new ContainerStatusBuilder(status).withName(container)
        .withImage(IMAGE).build() : c);
    s.setContainerStatuses(all);
    return s;
  }

  private static ContainerStatus waiting(String reason, String message) {
    return new ContainerStatusBuilder().withReady(false).withNewState().withNewWaiting().withReason(reason)
        .withMessage(message).endWaiting().endState().build();
  }
}
