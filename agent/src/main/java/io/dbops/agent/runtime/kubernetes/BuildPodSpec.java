package io.dbops.agent.runtime.kubernetes;

import io.dbops.agent.runtime.StepContainerLayout;
import io.dbops.agent.secrets.PodCredentials;
import io.dbops.protocol.InitStagePayload;
import io.dbops.protocol.InitStagePayload.Resources;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The build pod of an init task (pure; no API calls). Containers run {@code /opt/dbops/bin/dbops
 * <role>}:
 *
 * <ul>
 *   <li>{@code lite-engine} on the base port (20001), from the pod's image;
 *   <li>{@code step-1} .. {@code step-N} on the following ports: one per distinct step image
 *       ({@link StepContainerLayout}; usually one), each running its steps one after another, with
 *       the largest of their resources ({@link StepContainerResources}).
 * </ul>
 *
 * <p>Each container's readiness probe is a {@code tcpSocket} probe on its gRPC port: ready means
 * the server listens (a container binds its port only once its gRPC server is started). Not a
 * {@code grpc} probe: that handler exists from Kubernetes 1.24 only, and 1.20 (the oldest version
 * supported) rejects it ("must specify a handler type"); not an {@code exec} probe: a JVM per
 * probe is heavy.
 *
 * <p>Secret environment and the pod's credential ({@code DBOPS_POD_TOKEN}) reach every container
 * only as {@code secretKeyRef} into the pod's env Secret (key = the variable's name); every
 * container also gets {@value #MASK_ENV}, the comma-separated names of those variables, so it
 * masks their values. No value is ever in the spec. Every container listens on all interfaces
 * ({@code DBOPS_BIND_ADDRESS=0.0.0.0}: the delegate and the kubelet reach it at the pod IP); the
 * lite engine gets {@code DBOPS_POD_STEP_PORTS} (the only step ports it may call), {@code
 * DBOPS_LOG_SERVICE_URL} (the only log service it may ship to) and {@code DBOPS_LOG_SPOOL_DIR}.
 *
 * <p>Hardened: non-root (uid/gid 10001), read-only root filesystem, no privilege escalation, every
 * capability dropped, seccomp RuntimeDefault, no service account token. Writable: the shared
 * {@code /workspace} and {@code /tmp} (emptyDirs), and the lite engine's own log spool ({@value
 * #LOG_SPOOL_PATH}, an emptyDir only it mounts).
 */
final class BuildPodSpec {
  static final String LITE_ENGINE = "lite-engine";
  static final String MASK_ENV = "DBOPS_MASK_ENV";
  static final String WORKSPACE_PATH = "/workspace";
  /**
   * The lite engine's log spool: an emptyDir of this pod, mounted in the lite engine only (a spool
   * holds the log token; the step containers share /tmp and /workspace, never this).
   */
  static final String LOG_SPOOL_PATH = "/var/dbops/log-spool";
  static final String LOG_SPOOL_VOLUME = "log-spool";
  static final String LAUNCHER = "/opt/dbops/bin/dbops";
  static final long RUN_AS = 10001L;
  /** Requests and limits of the lite engine; step containers take these unless the task says otherwise. */
  static final Resources LITE_ENGINE_RESOURCES = new Resources("100m", "256Mi", null, "512Mi");
  static final Resources DEFAULT_STEP_RESOURCES = new Resources("250m", "512Mi", null, "1Gi");

  private BuildPodSpec() {}

  static String stepContainer(int n) {
    return "step-" + n;
  }

  /**
   * @param image the image of the lite engine and of every step the task gives no image of (the
   *     task's, else the delegate's default)
   * @param serviceAccount the task's, else the delegate's default; null for the namespace default
   */
  static Pod of(InitStagePayload payload, String namespace, String image, String serviceAccount, int basePort,
      Map<String, String> labels, Map<String, String> annotations, Map<String, String> stepSettings,
      String logServiceUrl) {
    List<String> secretNames = new ArrayList<>(payload.secretEnv().stream().map(InitStagePayload.SecretEnv::name)
        .toList());
    secretNames.add(PodCredentials.VARIABLE);
    List<EnvVar> secretEnv = secretNames.stream()
        .map(name -> new EnvVarBuilder().withName(name).withNewValueFrom().withNewSecretKeyRef()
            .withName(BuildPodSecrets.envSecretName(payload.podName())).withKey(name).withOptional(false)
            .endSecretKeyRef().endValueFrom().build())
        .toList();
    EnvVar bindAll = plain("DBOPS_BIND_ADDRESS", "0.0.0.0");
    String pullPolicy = payload.pod().imagePullPolicy();

    List<Container> containers = new ArrayList<>();
    List<EnvVar> liteEngineEnv = new ArrayList<>();
    liteEngineEnv.add(plain("DBOPS_LITE_ENGINE_PORT", Integer.toString(basePort)));
    EnvVar maskEnv = plain(MASK_ENV, String.join(",", secretNames));
    liteEngineEnv.add(maskEnv);
    liteEngineEnv.add(bindAll);
    StepContainerLayout layout = StepContainerLayout.of(payload, image);
    liteEngineEnv.add(plain("DBOPS_POD_STEP_PORTS", layout.containers() == 0 ? "none"
        : java.util.stream.IntStream.rangeClosed(1, layout.containers())
            .mapToObj(i -> Integer.toString(basePort + i)).collect(Collectors.joining(","))));
    liteEngineEnv.add(plain("DBOPS_LOG_SERVICE_URL", logServiceUrl));
    // the pipeline's absolute paths live under the shared workspace volume in a pod
    liteEngineEnv.add(plain("DBOPS_WORKSPACE_ROOT", WORKSPACE_PATH));
    liteEngineEnv.add(plain("DBOPS_LOG_SPOOL_DIR", LOG_SPOOL_PATH));
    liteEngineEnv.addAll(secretEnv);
    Container liteEngine = container(LITE_ENGINE, image, pullPolicy, "lite-engine", basePort, liteEngineEnv,
        LITE_ENGINE_RESOURCES);
    liteEngine.getVolumeMounts().add(new io.fabric8.kubernetes.api.model.VolumeMountBuilder()
        .withName(LOG_SPOOL_VOLUME).withMountPath(LOG_SPOOL_PATH).build());
    containers.add(liteEngine);
    for (int i = 1; i <= layout.containers(); i++) {
      int port = basePort + i;
      List<EnvVar> env = new ArrayList<>();
      env.add(plain("DBOPS_STEP_PORT", Integer.toString(port)));
      env.add(bindAll);
      // the delegate's DBOPS_STEP_* settings (DBOPS_STEP_DURABILITY, ...), in name order
      new java.util.TreeMap<>(stepSettings).forEach((name, value) -> env.add(plain(name, value)));
      env.add(maskEnv); // the step container masks its own console (the pod log) too
      payload.env().forEach((name, value) -> env.add(plain(name, value)));
      env.addAll(secretEnv);
      Resources own = StepContainerResources.of(payload.pod().stepResources(), layout.steps(i - 1),
          DEFAULT_STEP_RESOURCES);
      containers.add(container(stepContainer(i), layout.image(i - 1), pullPolicy, "step-runtime", port, env, own));
    }

    List<LocalObjectReference> pullSecrets = BuildPodSecrets.registrySecretNames(payload).stream()
        .map(LocalObjectReference::new).toList();
    Map<String, String> podLabels = new LinkedHashMap<>(labels);
    podLabels.put(PodLabels.PART, "pod");
    return new PodBuilder()
        .withNewMetadata().withName(payload.podName()).withNamespace(namespace).withLabels(podLabels)
        .withAnnotations(annotations).endMetadata()
        .withNewSpec()
        .withRestartPolicy("Never")
        .withActiveDeadlineSeconds(payload.timeoutSeconds() > 0 ? (long) payload.timeoutSeconds() : null)
        .withServiceAccountName(serviceAccount)
        // build pods never call the Kubernetes API
        .withAutomountServiceAccountToken(false)
        .withEnableServiceLinks(false)
        .withNodeSelector(payload.pod().nodeSelector().isEmpty() ? null : payload.pod().nodeSelector())
        .withTolerations(payload.pod().tolerations().stream().map(BuildPodSpec::toleration).toList())
        .withImagePullSecrets(pullSecrets)
        .withNewSecurityContext()
        .withRunAsNonRoot(true).withRunAsUser(RUN_AS).withRunAsGroup(RUN_AS).withFsGroup(RUN_AS)
        .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
        .endSecurityContext()
        .addNewVolume().withName("workspace").withNewEmptyDir().endEmptyDir().endVolume()
        .addNewVolume().withName("tmp").withNewEmptyDir().endEmptyDir().endVolume()
        .addNewVolume().withName(LOG_SPOOL_VOLUME).withNewEmptyDir().endEmptyDir().endVolume()
        .withContainers(containers)
        .endSpec()
        .build();
  }

  private static Container container(String name, String image, String pullPolicy, String role, int port,
      List<EnvVar> env, Resources resources) {
    return new ContainerBuilder()
        .withName(name)
        .withImage(image)
        .withImagePullPolicy(pullPolicy)
        .withCommand(LAUNCHER)
        .withArgs(role)
        .addNewPort().withName(name.equals(LITE_ENGINE) ? "grpc" : "grpc-" + name.substring(5))
        .withContainerPort(port).withProtocol("TCP").endPort()
        .withEnv(env)
        // A container that fails without a termination message gets its last log lines (at most 80
        // lines, 2 KiB) as one: the failure message then says why (containers mask their own output).
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        .withNewReadinessProbe()
        .withNewTcpSocket().withNewPort(port).endTcpSocket()
        .withInitialDelaySeconds(1).withPeriodSeconds(2).withTimeoutSeconds(2).withFailureThreshold(3)
        .endReadinessProbe()
        .withResources(resources(resources))
        .withNewSecurityContext()
        .withRunAsNonRoot(true).withReadOnlyRootFilesystem(true).withAllowPrivilegeEscalation(false)
        .withPrivileged(false)
        .withNewCapabilities().withDrop("ALL").endCapabilities()
        .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
        .endSecurityContext()
        .withWorkingDir(WORKSPACE_PATH)
        .addNewVolumeMount().withName("workspace").withMountPath(WORKSPACE_PATH).endVolumeMount()
        .addNewVolumeMount().withName("tmp").withMountPath("/tmp").endVolumeMount()
        .build();
  }

  private static EnvVar plain(String name, String value) {
    return new EnvVarBuilder().withName(name).withValue(value).build();
  }

  private static ResourceRequirements resources(Resources r) {
    ResourceRequirementsBuilder b = new ResourceRequirementsBuilder();
    if (r.cpuRequest() != null) {
      b.addToRequests("cpu", new Quantity(r.cpuRequest()));
    }
    if (r.memoryRequest() != null) {
      b.addToRequests("memory", new Quantity(r.memoryRequest()));
    }
    if (r.cpuLimit() != null) {
      b.addToLimits("cpu", new Quantity(r.cpuLimit()));
    }
    if (r.memoryLimit() != null) {
      b.addToLimits("memory", new Quantity(r.memoryLimit()));
    }
    return b.build();
  }

  private static Toleration toleration(InitStagePayload.Toleration t) {
    return new TolerationBuilder().withKey(t.key()).withOperator(t.operator()).withValue(t.value())
        .withEffect(t.effect()).withTolerationSeconds(t.tolerationSeconds()).build();
  }
}
