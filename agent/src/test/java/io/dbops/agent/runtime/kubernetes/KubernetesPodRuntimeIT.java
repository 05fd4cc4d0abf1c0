package io.dbops.agent.runtime.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.agent.secrets.PodSecrets;
import io.dbops.protocol.InitStageOutput;
import io.dbops.protocol.InitStagePayload;
import io.dbops.protocol.InitStagePayload.PodSettings;
import io.dbops.protocol.InitStagePayload.RegistryCredential;
import io.dbops.protocol.InitStagePayload.Resources;
import io.dbops.protocol.InitStagePayload.SecretEnv;
import io.dbops.protocol.InitStagePayload.Toleration;
import io.dbops.support.Json;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The kubernetes runtime against the Fabric8 mock API in CRUD mode: what it creates, deletes and sweeps. */
class KubernetesPodRuntimeIT {
  private static final String DB_PASSWORD = "pg-s3cret-value-81f2";
  private static final String API_TOKEN = "tok-9f8e7d6c5b4a";
  private static final String REGISTRY_PASSWORD = "reg-pass-4242-zz";
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  private MockKubernetes kubernetes;
  private KubernetesClient client;
  private final ExecutorService background = Executors.newCachedThreadPool();
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger runtimeLogger = (Logger) LoggerFactory.getLogger("io.dbops.agent.runtime.kubernetes");

  @BeforeEach
  void start() {
    kubernetes = new MockKubernetes();
    client = kubernetes.newClient();
    logs.start();
    runtimeLogger.addAppender(logs);
  }

  @AfterEach
  void stop() {
    runtimeLogger.detachAppender(logs);
    background.shutdownNow();
    client.close();
    kubernetes.close();
  }

  @Test
  void initCreatesExactlyTheExpectedSecretsAndPodWithoutASecretValueInThePodAndCleanupDeletesThem()
      throws Exception {
    KubernetesRuntimeSettings withStepSettings = settings("dc1", "i-1").withStepSettings(
        Map.of("DBOPS_STEP_DURABILITY", "changeset", "DBOPS_STEP_LOCK_TIMEOUT_SECONDS", "120"));
    try (KubernetesPodRuntime runtime = new KubernetesPodRuntime(client, withStepSettings, Clock.systemUTC())) {
      InitStageOutput output = startReady(runtime, fullPayload("exec-1-dev"), fullSecrets(), "10.1.2.3");

      // two steps of one image: one step container, both steps on its port
      assertThat(output).isEqualTo(new InitStageOutput("exec-1-dev", "10.1.2.3:20001", List.of(20002, 20002)));

      // exactly two Secrets
      List<Secret> secrets = client.secrets().inNamespace(MockKubernetes.NAMESPACE).list().getItems();
      assertThat(secrets).extracting(s -> s.getMetadata().getName())
          .containsExactlyInAnyOrder("exec-1-dev-env", "exec-1-dev-registry-1");
      Pod pod = kubernetes.pod("exec-1-dev");
      Secret env = secret(secrets, "exec-1-dev-env");
      assertThat(env.getType()).isEqualTo("Opaque");
      // the stage's secrets and the pod's credential (contract A)
      assertThat(decoded(env)).containsOnlyKeys("DB_PASSWORD", "API_TOKEN", "DBOPS_POD_TOKEN")
          .containsEntry("DB_PASSWORD", DB_PASSWORD).containsEntry("API_TOKEN", API_TOKEN);
      assertThat(decoded(env).get("DBOPS_POD_TOKEN")).matches("[A-Za-z0-9_-]{43}");
      Secret registry = secret(secrets, "exec-1-dev-registry-1");
      assertThat(registry.getType()).isEqualTo("kubernetes.io/dockerconfigjson");
      JsonNode auth = Json.mapper().readTree(decoded(registry).get(".dockerconfigjson"))
          .path("auths").path("registry.example.com");
      assertThat(auth.path("username").asText()).isEqualTo("robot");
      assertThat(auth.path("password").asText()).isEqualTo(REGISTRY_PASSWORD);
      assertThat(auth.path("auth").asText()).isEqualTo(base64("robot:" + REGISTRY_PASSWORD));
      for (Secret s : secrets) {
        assertThat(s.getMetadata().getOwnerReferences()).singleElement().satisfies(owner -> {
          assertThat(owner.getKind()).isEqualTo("Pod");
          assertThat(owner.getName()).isEqualTo("exec-1-dev");
          assertThat(owner.getUid()).isEqualTo(pod.getMetadata().getUid()).isNotBlank();
        });
        assertThat(s.getMetadata().getLabels()).containsEntry("dbops.io/delegate", "dc1")
            .containsEntry("dbops.io/delegate-instance", "i-1").containsEntry("dbops.io/execution", "exec-1");
        assertThat(s.getMetadata().getAnnotations()).containsEntry("dbops.io/pod", "exec-1-dev")
            .containsKey("dbops.io/lease-expires");
      }

      // exactly one pod, as the task describes it
      assertThat(client.pods().inNamespace(MockKubernetes.NAMESPACE).list().getItems()).hasSize(1);
      assertThat(pod.getMetadata().getLabels()).containsEntry("dbops.io/delegate", "dc1")
          .containsEntry("dbops.io/delegate-instance", "i-1").containsEntry("dbops.io/execution", "exec-1")
          .containsEntry("app.kubernetes.io/managed-by", "dbops-delegate");
      assertThat(Instant.parse(pod.getMetadata().getAnnotations().get("dbops.io/lease-expires")))
          .isAfter(Instant.now());
      var spec = pod.getSpec();
      assertThat(spec.getActiveDeadlineSeconds()).isEqualTo(900L);
      assertThat(spec.getRestartPolicy()).isEqualTo("Never");
      assertThat(spec.getServiceAccountName()).isEqualTo("builder");
      assertThat(spec.getNodeSelector()).isEqualTo(Map.of("pool", "db"));
      assertThat(spec.getTolerations()).singleElement().satisfies(t -> {
        assertThat(t.getKey()).isEqualTo("dedicated");
        assertThat(t.getEffect()).isEqualTo("NoSchedule");
      });
      assertThat(spec.getImagePullSecrets()).extracting(r -> r.getName()).containsExactly("exec-1-dev-registry-1");
      assertThat(spec.getSecurityContext().getRunAsNonRoot()).isTrue();
      assertThat(spec.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
      assertThat(spec.getVolumes()).extracting(v -> v.getName()).containsExactly("workspace", "tmp", "log-spool");
      assertThat(spec.getContainers()).extracting(Container::getName)
          .containsExactly("lite-engine", "step-1");
      for (Container c : spec.getContainers()) {
        assertThat(c.getImage()).isEqualTo("registry.example.com/dbops/dbops:0.1.0");
        assertThat(c.getImagePullPolicy()).isEqualTo("IfNotPresent");
        assertThat(c.getCommand()).containsExactly("/opt/dbops/bin/dbops");
        assertThat(c.getTerminationMessagePolicy()).isEqualTo("FallbackToLogsOnError");
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(c.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(c.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(c.getVolumeMounts()).extracting(m -> m.getMountPath()).contains("/workspace", "/tmp");
        // a tcpSocket probe on the gRPC port: a grpc probe is rejected by Kubernetes before 1.24
        assertThat(c.getReadinessProbe().getGrpc()).isNull();
        assertThat(c.getReadinessProbe().getTcpSocket().getPort().getIntVal())
            .isEqualTo(c.getPorts().get(0).getContainerPort());
        // every secret variable by reference into the pod's env Secret, key = the variable's name
        for (String variable : List.of("DB_PASSWORD", "API_TOKEN")) {
          EnvVar var = env(c, variable);
          assertThat(var.getValue()).isNull();
          assertThat(var.getValueFrom().getSecretKeyRef().getName()).isEqualTo("exec-1-dev-env");
          assertThat(var.getValueFrom().getSecretKeyRef().getKey()).isEqualTo(variable);
        }
      }
      Container liteEngine = spec.getContainers().get(0);
      assertThat(liteEngine.getArgs()).containsExactly("lite-engine");
      assertThat(liteEngine.getPorts().get(0).getContainerPort()).isEqualTo(20001);
      assertThat(env(liteEngine, "DBOPS_LITE_ENGINE_PORT").getValue()).isEqualTo("20001");
      assertThat(env(liteEngine, "DBOPS_MASK_ENV").getValue()).isEqualTo("DB_PASSWORD,API_TOKEN,DBOPS_POD_TOKEN");
      // contracts B and C: reachable at the pod IP, calls only this pod's step ports, ships only to one service
      assertThat(env(liteEngine, "DBOPS_POD_STEP_PORTS").getValue()).isEqualTo("20002");
      assertThat(env(liteEngine, "DBOPS_LOG_SERVICE_URL").getValue()).isEqualTo("off");
      for (Container c : spec.getContainers()) {
        assertThat(env(c, "DBOPS_BIND_ADDRESS").getValue()).isEqualTo("0.0.0.0");
        assertThat(env(c, "DBOPS_POD_TOKEN").getValue()).isNull();
        assertThat(env(c, "DBOPS_POD_TOKEN").getValueFrom().getSecretKeyRef().getName()).isEqualTo("exec-1-dev-env");
        assertThat(env(c, "DBOPS_POD_TOKEN").getValueFrom().getSecretKeyRef().getKey()).isEqualTo("DBOPS_POD_TOKEN");
      }
      assertThat(env(liteEngine, "DBOPS_WORKSPACE_ROOT").getValue()).isEqualTo("/workspace");
      // the log spool (it holds the log token) is the pod's own, and the lite engine's only
      assertThat(env(liteEngine, "DBOPS_LOG_SPOOL_DIR").getValue()).isEqualTo("/var/dbops/log-spool");
      assertThat(liteEngine.getVolumeMounts()).anySatisfy(m -> {
        assertThat(m.getName()).isEqualTo("log-spool");
        assertThat(m.getMountPath()).isEqualTo("/var/dbops/log-spool");
      });
      assertThat(spec.getContainers().subList(1, spec.getContainers().size())).allSatisfy(c -> assertThat(c.getVolumeMounts())
          .extracting(m -> m.getName()).doesNotContain("log-spool"));
      Container step1 = spec.getContainers().get(1);
      assertThat(step1.getArgs()).containsExactly("step-runtime");
      assertThat(env(step1, "DBOPS_STEP_PORT").getValue()).isEqualTo("20002");
      assertThat(env(step1, "DBOPS_MASK_ENV").getValue()).isEqualTo("DB_PASSWORD,API_TOKEN,DBOPS_POD_TOKEN");
      assertThat(env(step1, "DBOPS_LOG_LEVEL").getValue()).isEqualTo("DEBUG");
      // the delegate's step runtime settings, in every step container and nowhere else
      assertThat(env(step1, "DBOPS_STEP_DURABILITY").getValue()).isEqualTo("changeset");
      assertThat(env(step1, "DBOPS_STEP_LOCK_TIMEOUT_SECONDS").getValue()).isEqualTo("120");
      assertThat(liteEngine.getEnv()).extracting(EnvVar::getName).noneMatch(n -> n.startsWith("DBOPS_STEP_"));
      // the shared container takes the larger of its steps' values: step 1's (500m, 1Gi, 2Gi) over
      // step 2's defaults (250m, 512Mi, 1Gi); neither limits CPU
      assertThat(step1.getResources().getRequests()).hasSize(2);
      assertThat(step1.getResources().getRequests().get("cpu").toString()).isEqualTo("500m");
      assertThat(step1.getResources().getRequests().get("memory").toString()).isEqualTo("1Gi");
      assertThat(step1.getResources().getLimits()).containsOnlyKeys("memory");
      assertThat(step1.getResources().getLimits().get("memory").toString()).isEqualTo("2Gi");

      // no secret value, plain or base64, anywhere in the pod or the runtime's log lines
      String yaml = Serialization.asYaml(pod);
      for (String value : List.of(DB_PASSWORD, API_TOKEN, REGISTRY_PASSWORD)) {
        assertThat(yaml).doesNotContain(value).doesNotContain(base64(value));
        assertThat(logs.list).allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain(value));
      }
      assertThat(logs.list).isNotEmpty();

      runtime.stop("exec-1-dev");

      assertThat(client.pods().inNamespace(MockKubernetes.NAMESPACE).list().getItems()).isEmpty();
      assertThat(client.secrets().inNamespace(MockKubernetes.NAMESPACE).list().getItems()).isEmpty();
      runtime.stop("exec-1-dev"); // idempotent
    }
  }

  @Test
  void stepsOfDifferentImagesGetAContainerEachAndStepsOfOneImageShareIt() throws Exception {
    InitStagePayload payload = new InitStagePayload("e4", "dev", "e4-dev", "dbops/dbops:0.1.0", 3, Map.of(),
        List.of(), 60, new PodSettings(null, null, null, null, null, List.of(
            new Resources("1", "256Mi", "2", "768Mi"), new Resources("100m", "2Gi", null, "3Gi"),
            new Resources("300m", "128Mi", "1", "1536Mi"))))
        .withStepImages(java.util.Arrays.asList(null, "registry.example.com/tools:7", "dbops/dbops:0.1.0"));
    try (KubernetesPodRuntime runtime = new KubernetesPodRuntime(client, settings("dc1", "i-1"), Clock.systemUTC())) {
      InitStageOutput output = startReady(runtime, payload, PodSecrets.NONE, "10.0.0.7");

      // steps 1 and 3 run the pod's image in step-1, step 2 its own image in step-2
      assertThat(output.stepPorts()).containsExactly(20002, 20003, 20002);
      List<Container> containers = kubernetes.pod("e4-dev").getSpec().getContainers();
      assertThat(containers).extracting(Container::getName).containsExactly("lite-engine", "step-1", "step-2");
      assertThat(containers).extracting(Container::getImage).containsExactly("dbops/dbops:0.1.0",
          "dbops/dbops:0.1.0", "registry.example.com/tools:7");
      assertThat(env(containers.get(0), "DBOPS_POD_STEP_PORTS").getValue()).isEqualTo("20002,20003");
      assertThat(env(containers.get(1), "DBOPS_STEP_PORT").getValue()).isEqualTo("20002");
      assertThat(env(containers.get(2), "DBOPS_STEP_PORT").getValue()).isEqualTo("20003");
      // step-1: the larger of steps 1 and 3, value by value
      var shared = containers.get(1).getResources();
      assertThat(shared.getRequests().get("cpu").toString()).isEqualTo("1");
      assertThat(shared.getRequests().get("memory").toString()).isEqualTo("256Mi");
      assertThat(shared.getLimits().get("cpu").toString()).isEqualTo("2");
      assertThat(shared.getLimits().get("memory").toString()).isEqualTo("1536Mi");
      // step-2: step 2's own, without a CPU limit
      var own = containers.get(2).getResources();
      assertThat(own.getRequests().get("memory").toString()).isEqualTo("2Gi");
      assertThat(own.getLimits()).containsOnlyKeys("memory");
    }
  }

  @Test
  void aStageWithoutSecretsGetsOnlyItsCredentialAndTheDelegatesDefaultImageAndServiceAccount() throws Exception {
    try (KubernetesPodRuntime runtime = new KubernetesPodRuntime(client, settings("dc1", "i-1"), Clock.systemUTC())) {
      startReady(runtime, new InitStagePayload("e2", "dev", "e2-dev", null, 1, Map.of(), List.of(), 60),
          PodSecrets.NONE, "10.0.0.9");

      assertThat(client.secrets().inNamespace(MockKubernetes.NAMESPACE).list().getItems()).singleElement()
          .satisfies(s -> assertThat(decoded(s)).containsOnlyKeys("DBOPS_POD_TOKEN"));
      Pod pod = kubernetes.pod("e2-dev");
      assertThat(pod.getSpec().getServiceAccountName()).isEqualTo("dbops-build");
      assertThat(pod.getSpec().getImagePullSecrets()).isEmpty();
      assertThat(pod.getSpec().getContainers()).allSatisfy(c -> assertThat(c.getImage()).isEqualTo("dbops/dbops:0.1.0"));
      assertThat(env(pod.getSpec().getContainers().get(0), "DBOPS_MASK_ENV").getValue()).isEqualTo("DBOPS_POD_TOKEN");
    }
  }

  @Test
  void sweeperDeletesWhatAKilledDelegateLeftAndKeepsWhatLiveInstancesOwn() throws Exception {
    MutableClock clock = new MutableClock(T0);
    // a delegate instance that is killed: it never renews (not started) and never cleans up (not closed)
    KubernetesPodRuntime killed = new KubernetesPodRuntime(client, settings("dc1", "i-killed"), clock);
    startReady(killed, fullPayload("killed-pod"), fullSecrets(), "10.0.0.1");
    // ... and one killed between creating a Secret and its pod
    client.secrets().inNamespace(MockKubernetes.NAMESPACE).resource(new SecretBuilder().withNewMetadata()
        .withName("never-env").addToLabels("dbops.io/delegate", "dc1")
        .addToAnnotations("dbops.io/pod", "never").addToAnnotations("dbops.io/lease-expires", T0.toString())
        .endMetadata().addToData("X", base64("y")).build()).create();
    // a live replica of the same delegate, whose lease runs to T0 + 2 h
    KubernetesPodRuntime replica = new KubernetesPodRuntime(client,
        settings("dc1", "i-replica").withLease(Duration.ofHours(2), Duration.ofHours(1), Duration.ofHours(1)), clock);
    startReady(replica, fullPayload("replica-pod"), fullSecrets(), "10.0.0.2");
    // another delegate's lapsed pod: not ours to sweep
    KubernetesPodRuntime other = new KubernetesPodRuntime(client, settings("dc2", "i-other"), clock);
    startReady(other, new InitStagePayload("e3", "dev", "other-pod", "img", 1, Map.of(), List.of(), 60),
        PodSecrets.NONE, "10.0.0.3");

    clock.set(T0.plus(Duration.ofMinutes(10)));
    try (KubernetesPodRuntime successor = new KubernetesPodRuntime(client, settings("dc1", "i-successor"), clock)) {
      successor.start(); // sweeps before it returns: before the delegate connects

      assertThat(names(client.pods().inNamespace(MockKubernetes.NAMESPACE).list().getItems()))
          .containsExactlyInAnyOrder("replica-pod", "other-pod");
      assertThat(names(client.secrets().inNamespace(MockKubernetes.NAMESPACE).list().getItems()))
          .containsExactlyInAnyOrder("replica-pod-env", "replica-pod-registry-1", "other-pod-env");
      assertThat(successor.sweep()).isZero();
    }
    replica.close();
    other.close();
  }

  @Test
  void aNameAlreadyTakenFailsTheInitWithTheApisAnswerAndCreatesNoPod() throws Exception {
    client.secrets().inNamespace(MockKubernetes.NAMESPACE).resource(new SecretBuilder().withNewMetadata()
        .withName("p1-env").endMetadata().build()).create();
    try (KubernetesPodRuntime runtime = new KubernetesPodRuntime(client, settings("dc1", "i-1"), Clock.systemUTC())) {
      assertThatThrownBy(() -> runtime.start(fullPayload("p1"), fullSecrets()))
          .isInstanceOf(io.dbops.agent.runtime.PodException.class)
          .hasMessageStartingWith("Kubernetes refused pod p1 or its Secrets in namespace builds (HTTP 409): ")
          .hasMessageEndingWith(". A pod or Secret of that name already exists (a previous attempt still"
              + " terminating?)")
          .message().doesNotContain(DB_PASSWORD);
      assertThat(kubernetes.pod("p1")).isNull();
    }
  }

  @Test
  void closeDeletesThePodsItStarted() throws Exception {
    KubernetesPodRuntime runtime = new KubernetesPodRuntime(client, settings("dc1", "i-1"), Clock.systemUTC());
    runtime.start();
    startReady(runtime, fullPayload("p1"), fullSecrets(), "10.0.0.1");

    runtime.close();
    runtime.close();

    assertThat(client.pods().inNamespace(MockKubernetes.NAMESPACE).list().getItems()).isEmpty();
    assertThat(client.secrets().inNamespace(MockKubernetes.NAMESPACE).list().getItems()).isEmpty();
  }

  @Test
  void theLeaseOfALivePodIsRenewed() throws Exception {
    MutableClock clock = new MutableClock(T0);
    try (KubernetesPodRuntime runtime = new KubernetesPodRuntime(client, settings("dc1", "i-1")
        .withLease(Duration.ofMinutes(5), Duration.ofMillis(200), Duration.ofHours(1)), clock)) {
      runtime.start();
      startReady(runtime, fullPayload("p1"), fullSecrets(), "10.0.0.1");
      assertThat(lease("p1")).isEqualTo(T0.plus(Duration.ofMinutes(5)));

      clock.set(T0.plus(Duration.ofMinutes(3)));

      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(lease("p1"))
          .isEqualTo(T0.plus(Duration.ofMinutes(8))));
    }
  }

  /**
   * A renewal while the pod's Secrets are being created (the pod does not exist yet, the patch
   * answers 404) must not drop the pod from the lease keeper: renewing every millisecond makes that
   * interleaving all but certain. It once made theLeaseOfALivePodIsRenewed fail under load.
   */
  @Test
  void aRenewalWhileThePodIsBeingCreatedDoesNotDropIt() throws Exception {
    MutableClock clock = new MutableClock(T0);
    try (KubernetesPodRuntime runtime = new KubernetesPodRuntime(client, settings("dc1", "i-1")
        .withLease(Duration.ofMinutes(5), Duration.ofMillis(1), Duration.ofHours(1)), clock)) {
      runtime.start();
      startReady(runtime, fullPayload("p1"), fullSecrets(), "10.0.0.1");

      clock.set(T0.plus(Duration.ofMinutes(3)));

      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(lease("p1"))
          .isEqualTo(T0.plus(Duration.ofMinutes(8))));
    }
  }

  private Instant lease(String pod) {
    return Instant.parse(kubernetes.pod(pod).getMetadata().getAnnotations().get("dbops.io/lease-expires"));
  }

  /** Starts the pod and, playing the kubelet, reports it ready once it exists. */
  private InitStageOutput startReady(KubernetesPodRuntime runtime, InitStagePayload payload, PodSecrets secrets,
      String podIp) throws Exception {
    CompletableFuture<InitStageOutput> started = CompletableFuture.supplyAsync(() -> {
      try {
        return runtime.start(payload, secrets);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, background);
    await().atMost(Duration.ofSeconds(10)).until(() -> kubernetes.pod(payload.podName()) != null);
    kubernetes.setStatus(payload.podName(), s -> PodStatuses.allReady(kubernetes.pod(payload.podName()), podIp));
    return started.get(20, TimeUnit.SECONDS);
  }

  static KubernetesRuntimeSettings settings(String delegate, String instance) {
    return new KubernetesRuntimeSettings(MockKubernetes.NAMESPACE, "dbops/dbops:0.1.0", "dbops-build", delegate,
        instance, 20001, Duration.ofSeconds(20), Duration.ofMinutes(5), Duration.ofMinutes(1), Duration.ofHours(1),
        Map.of());
  }

  static InitStagePayload fullPayload(String podName) {
    return new InitStagePayload("exec-1", "dev", podName, "registry.example.com/dbops/dbops:0.1.0", 2,
        Map.of("DBOPS_LOG_LEVEL", "DEBUG"),
        List.of(new SecretEnv("DB_PASSWORD", "env:PG_PASSWORD"), new SecretEnv("API_TOKEN", "env:API_TOKEN")), 900,
        new PodSettings("builder", Map.of("pool", "db"),
            List.of(new Toleration("dedicated", "Equal", "dbops", "NoSchedule", null)), "IfNotPresent",
            List.of(new RegistryCredential("registry.example.com", "robot", new SecretEnv(null, "env:REG"))),
            List.of(new Resources("500m", "1Gi", null, "2Gi"))));
  }

  static PodSecrets fullSecrets() {
    return new PodSecrets(Map.of("DB_PASSWORD", DB_PASSWORD, "API_TOKEN", API_TOKEN), List.of(REGISTRY_PASSWORD));
  }

  private static Secret secret(List<Secret> secrets, String name) {
    return secrets.stream().filter(s -> s.getMetadata().getName().equals(name)).findFirst().orElseThrow();
  }

  private static Map<String, String> decoded(Secret secret) {
    Map<String, String> values = new java.util.LinkedHashMap<>();
    secret.getData().forEach((k, v) -> values.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    return values;
  }

  private static EnvVar env(Container c, String name) {
    return c.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError(c.getName() + " has no env " + name));
  }

  private static List<String> names(List<? extends io.fabric8.kubernetes.api.model.HasMetadata> objects) {
    return objects.stream().map(o -> o.getMetadata().getName()).toList();
  }

  private static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  /** A clock the test moves. */
  static final class MutableClock extends Clock {
    private volatile Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void set(Instant instant) {
      now = instant;
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
