package io.dbops.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import io.dbops.agent.policy.Allowlists;
import io.dbops.agent.policy.DelegatePolicy;
import io.dbops.agent.runtime.kubernetes.KubernetesPodRuntime;
import io.dbops.agent.runtime.kubernetes.KubernetesRuntimeSettings;
import io.dbops.agent.runtime.kubernetes.KubernetesSecrets;
import io.dbops.agent.secrets.SecretResolver;
import io.dbops.agent.task.StageLogs;
import io.dbops.agent.task.TaskHandler;
import io.dbops.agent.task.TaskHandlers;
import io.dbops.agent.task.TaskOutcome;
import io.dbops.protocol.CleanupStagePayload;
import io.dbops.protocol.ExecuteStepPayload;
import io.dbops.protocol.Frame;
import io.dbops.protocol.InitStageOutput;
import io.dbops.protocol.InitStagePayload;
import io.dbops.protocol.StepOutput;
import io.dbops.protocol.TaskStatus;
import io.dbops.protocol.TaskTypes;
import io.dbops.secrets.SealedBox;
import io.dbops.support.GrpcChannels;
import io.dbops.support.Json;
import io.dbops.testsupport.TestDatabase;
import io.dbops.testsupport.TestDatabases;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;
import okhttp3.OkHttpClient;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The delegate's Kubernetes runtime (agent code, as a library) against a real API server, acting as
 * the service account the delegate chart creates, with exactly the chart's Roles; a {@link
 * SimulatedKubelet} binds the build pods and runs their containers as processes of the distribution.
 * A whole stage (init, clone, apply to PostgreSQL, cleanup) passes the API server's validation,
 * admission and RBAC; an invalid pod setting gets the server's own 422 on the execution; the env
 * Secret is immutable for real; a readiness wait survives the API server closing its watch (restarted
 * mid-wait).
 */
class BuildPodOnKubernetesIT {
  private static final String DELEGATE_ACCOUNT = "dbops-dbops-delegate";
  private static final String POD = "e1-dev";

  @TempDir Path work;
  private Path kubeconfig;
  private KubernetesClient admin;
  private KubernetesClient delegate;
  private String namespace;
  private String builds;
  private SimulatedKubelet kubelet;
  private KubernetesPodRuntime runtime;
  private GrpcChannels liteEngines;
  private LogService logService;
  private TestDatabase db;
  private String password;
  private Map<String, TaskHandler> handlers;

  @BeforeEach
  void install() throws Exception {
    kubeconfig = RealKubernetes.kubeconfig();
    db = TestDatabases.create(TestDatabases.Kind.POSTGRES);
    password = db.password().isEmpty() ? "kube-pw-5150-secret" : db.password();
    admin = RealKubernetes.client(kubeconfig);
    namespace = "dbops-pod-" + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20, 1 << 24), 36);
    builds = namespace + "-builds";
    new Helm(Charts.chart(Charts.DELEGATE)).install().withName(Charts.RELEASE).withNamespace(namespace)
        .createNamespace().withKubeConfig(kubeconfig)
        .set("token.value", "dbops_podTestToken0123456789")
        .set("rbac.secretSources.enabled", true).set("rbac.secretSources.resourceNames[0]", "orders-db")
        .call();
    admin.secrets().inNamespace(namespace).resource(new SecretBuilder().withNewMetadata().withName("orders-db")
        .endMetadata().addToStringData("password", password).build()).create();
    delegate = asServiceAccount(DELEGATE_ACCOUNT);
    kubelet = new SimulatedKubelet(admin, builds, Files.createDirectories(work.resolve("node")));
    kubelet.start();
    logService = LogService.start();
    liteEngines = new GrpcChannels("lite engine");
  }

  @AfterEach
  void uninstall() throws Exception {
    if (runtime != null) {
      runtime.close();
    }
    if (liteEngines != null) {
      liteEngines.close();
    }
    if (kubelet != null) {
      kubelet.close();
    }
    if (logService != null) {
      logService.close();
    }
    if (delegate != null) {
      delegate.close();
    }
    if (admin != null) {
      Helm.uninstall(Charts.RELEASE).withNamespace(namespace).withKubeConfig(kubeconfig).ignoreNotFound().call();
      admin.namespaces().withName(namespace).delete();
      admin.close();
    }
    if (db != null) {
      db.close();
    }
  }

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
    assertThat(kubelet.environment(POD, "step-2")).containsEntry("DBOPS_DB_PASSWORD", password);
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

  private void handlers(int basePort, Map<String, String> allow) {
    runtime = new KubernetesPodRuntime(delegate, KubernetesRuntimeSettings.of(builds, null, null, "dc1", "i-1",
        Duration.ofSeconds(150)).withBasePort(basePort), Clock.systemUTC());
    runtime.start();
    DelegatePolicy policy = new DelegatePolicy(Allowlists.of(allow), work.resolve("state"));
    SecretResolver secrets = new SecretResolver(SealedBox.newKeyPair().getPrivate(), name -> null,
        new KubernetesSecrets(delegate, namespace), policy);
    handlers = new HashMap<>();
    TaskHandlers.standard(runtime, liteEngines, secrets, policy, new StageLogs(new OkHttpClient(), null),
        logService.url()).forEach(h -> handlers.put(h.taskType(), h));
  }

  private static InitStagePayload initPayload(int steps, InitStagePayload.PodSettings pod) {
    return new InitStagePayload("e1", "dev", POD, "dbops/dbops:0.1.0", steps, Map.of(),
        List.of(new InitStagePayload.SecretEnv("DBOPS_DB_PASSWORD", "kubernetes:orders-db/password", null)), 600,
        pod);
  }

  private ExecuteStepPayload.LogStreamRef logStream(String step) {
    return new ExecuteStepPayload.LogStreamRef(logService.url(), "executions/e1/stages/dev/steps/" + step,
        "log-token");
  }

  private TaskOutcome run(String type, Object payload) throws Exception {
    JsonNode json = Json.tree(payload);
    return handlers.get(type).run(new Frame.TaskAssigned("t-" + type, type, 1, 300, 60, json));
  }

  private Path gitRepository() throws Exception {
    Path repo = Files.createDirectories(work.resolve("repo"));
    Files.writeString(repo.resolve("changelog.yaml"), String.join("\n",
        "databaseChangeLog:",
        "  - changeSet:",
        "      id: create-orders",
        "      author: test",
        "      changes:",
        "        - createTable:",
        "            tableName: orders",
        "            columns:",
        "              - column: {name: id, type: int}",
        ""));
    try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
      git.add().addFilepattern(".").call();
      git.commit().setMessage("changelog").setAuthor("t", "t@example.com").setCommitter("t", "t@example.com")
          .setSign(false).call();
    }
    return repo;
  }

  private KubernetesClient asServiceAccount(String name) throws IOException {
    Config config = new ConfigBuilder(Config.fromKubeconfig(Files.readString(kubeconfig)))
        .withImpersonateUsername("system:serviceaccount:" + namespace + ":" + name)
        .withImpersonateGroups("system:serviceaccounts", "system:serviceaccounts:" + namespace,
            "system:authenticated")
        .build();
    return new KubernetesClientBuilder().withConfig(config).build();
  }
}
