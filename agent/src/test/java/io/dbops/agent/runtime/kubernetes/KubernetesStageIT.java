package io.dbops.agent.runtime.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.agent.RealPodMain;
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
import io.dbops.testsupport.AcceptingLogService;
import io.dbops.testsupport.ChangelogRepository;
import io.dbops.testsupport.Ports;
import io.dbops.testsupport.TestDatabase;
import io.dbops.testsupport.TestDatabases;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole stage on the kubernetes runtime: the delegate's own task handlers run init (secret
 * resolved from a {@code kubernetes:} source, Secrets and pod created in the mock API), a simulated
 * kubelet runs the pod's containers as real lite engine and step runtime processes with the
 * environment resolved from the Secrets, the step applies a changelog to the local PostgreSQL with
 * the password it received through {@code secretKeyRef}, and cleanup deletes pod and Secrets.
 */
class KubernetesStageIT {
  private static final String DELEGATE_NAMESPACE = "dbops";

  @TempDir Path work;
  private MockKubernetes kubernetes;
  private KubernetesClient client;
  private SimulatedKubelet kubelet;
  private KubernetesPodRuntime runtime;
  private GrpcChannels liteEngines;
  private AcceptingLogService logService;
  private TestDatabase db;

  @BeforeEach
  void start() throws Exception {
    db = TestDatabases.create(TestDatabases.Kind.POSTGRES);
    kubernetes = new MockKubernetes();
    client = kubernetes.newClient();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Files.createDirectories(work.resolve("logs"));
    kubelet = new SimulatedKubelet(kubernetes.client(), MockKubernetes.NAMESPACE,
        List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
            RealPodMain.class.getName()), work.resolve("logs"));
    kubelet.start();
    logService = AcceptingLogService.start();
    liteEngines = new GrpcChannels("lite engine");
  }

  @AfterEach
  void stop() throws Exception {
    if (runtime != null) {
      runtime.close();
    }
    liteEngines.close();
    kubelet.close();
    client.close();
    kubernetes.close();
    if (logService != null) {
      logService.close();
    }
    db.close();
  }

  @Test
  void initCloneApplyAndCleanupApplyAChangelogFromGitToPostgresWithThePasswordFromASecret() throws Exception {
    String password = db.password().isEmpty() ? "kube-pw-5150-secret" : db.password();
    // the database password, kept in a Secret of the delegate's own namespace
    kubernetes.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(DELEGATE_NAMESPACE)
        .endMetadata().build()).create();
    kubernetes.client().secrets().inNamespace(DELEGATE_NAMESPACE).resource(new SecretBuilder().withNewMetadata()
        .withName("orders-db").endMetadata().addToData("password", base64(password)).build()).create();
    // the changelog lives in git: in a pod, only a clone step puts files into the workspace
    Path repo = ChangelogRepository.create(work.resolve("repo"));
    Path pipelineDir = work.resolve("pipeline"); // the submitting machine's directory: not in the pod
    int basePort = Ports.freeRange(3);
    runtime = new KubernetesPodRuntime(client, KubernetesPodRuntimeIT.settings("dc1", "i-1").withBasePort(basePort)
        .withReadyTimeout(Duration.ofSeconds(120)), Clock.systemUTC());
    runtime.start();
    // default deny: the stage reads its password from one Kubernetes Secret, clones one local repository and
    // applies to a database on loopback
    io.dbops.agent.policy.DelegatePolicy policy = io.dbops.agent.policy.DelegatePolicy.forIsolatedPods(
        io.dbops.agent.policy.Allowlists.of(Map.of("DBOPS_ALLOW_SECRET_KUBERNETES", "orders-db",
            "DBOPS_ALLOW_HOSTS", "127.0.0.1:*,localhost:*",
            "DBOPS_ALLOW_GIT_URLS", work.resolve("repo").toUri() + "**")), work.resolve("state"));
    SecretResolver secrets = new SecretResolver(SealedBox.newKeyPair().getPrivate(), name -> null,
        new KubernetesSecrets(client, DELEGATE_NAMESPACE), policy);
    Map<String, TaskHandler> handlers = new java.util.HashMap<>();
    // the pod's log service is the one its steps ship to (the lite engine refuses any other)
    TaskHandlers.standard(runtime, liteEngines, secrets, policy, new StageLogs(new OkHttpClient(), null),
        logServiceUrl()).forEach(h -> handlers.put(h.taskType(), h));

    TaskOutcome init = run(handlers, TaskTypes.INIT_STAGE, new InitStagePayload("e1", "dev", "e1-dev",
        "dbops/dbops:0.1.0", 2, Map.of(),
        List.of(new InitStagePayload.SecretEnv("DBOPS_DB_PASSWORD", "kubernetes:orders-db/password")), 600));
    assertThat(init.status()).as(init.error() + "\n" + kubelet.logOf("e1-dev", "lite-engine")).isEqualTo(TaskStatus.SUCCEEDED);
    InitStageOutput pod = Json.convert(init.output(), InitStageOutput.class);
    assertThat(pod.liteEngineAddress()).isEqualTo("127.0.0.1:" + basePort);
    // clone and apply run the same image: one step container serves both, one after another
    assertThat(pod.stepPorts()).containsExactly(basePort + 1, basePort + 1);
    assertThat(kubernetes.pod("e1-dev").getSpec().getContainers()).hasSize(2);

    // the step container got the password through secretKeyRef; the pod spec never held it
    assertThat(kubelet.environment("e1-dev", "step-1")).containsEntry("DBOPS_DB_PASSWORD", password);
    assertThat(kubelet.environment("e1-dev", "lite-engine")).containsEntry("DBOPS_DB_PASSWORD", password)
        .containsEntry("DBOPS_MASK_ENV", "DBOPS_DB_PASSWORD,DBOPS_POD_TOKEN")
        .containsEntry("DBOPS_BIND_ADDRESS", "0.0.0.0");
    // one credential for the whole pod, from the pod's Secret (contract A)
    assertThat(kubelet.environment("e1-dev", "lite-engine").get("DBOPS_POD_TOKEN"))
        .isNotBlank().isEqualTo(kubelet.environment("e1-dev", "step-1").get("DBOPS_POD_TOKEN"));
    String podYaml = Serialization.asYaml(kubernetes.pod("e1-dev"));
    assertThat(podYaml).doesNotContain(password).doesNotContain(base64(password));

    TaskOutcome clone = run(handlers, TaskTypes.EXECUTE_STEP, new ExecuteStepPayload("e1", "dev", "fetch", "e1-dev",
        pod.liteEngineAddress(), pod.stepPorts().get(0),
        new ExecuteStepPayload.StepSpec("clone", null, pipelineDir.toString(), null, null, null, null, null, null, 0,
            Map.of(), null, false, false, null, false,
            new ExecuteStepPayload.GitSpec(repo.toUri().toString(), "main", "checkout", 0, null, null)),
        new ExecuteStepPayload.LogStreamRef(logServiceUrl(),
            "executions/e1/stages/dev/steps/fetch", "log-token")));
    assertThat(clone.status()).as(clone.error() + "\n" + kubelet.logOf("e1-dev", "step-1"))
        .isEqualTo(TaskStatus.SUCCEEDED);
    // the lite engine mapped the pipeline's path into the pod's workspace volume, not the host's
    assertThat(kubelet.volume("e1-dev", "workspace").resolve(pipelineDir.toString().substring(1))
        .resolve("checkout/changelog.yaml")).exists();
    assertThat(pipelineDir).doesNotExist();

    TaskOutcome apply = run(handlers, TaskTypes.EXECUTE_STEP, new ExecuteStepPayload("e1", "dev", "apply", "e1-dev",
        pod.liteEngineAddress(), pod.stepPorts().get(1),
        new ExecuteStepPayload.StepSpec("apply", "checkout/changelog.yaml", pipelineDir.toString(), db.jdbcUrl(),
            db.username(), "DBOPS_DB_PASSWORD", null, null, null, 0, Map.of(), null),
        new ExecuteStepPayload.LogStreamRef(logServiceUrl(),
            "executions/e1/stages/dev/steps/apply", "log-token")));
    assertThat(apply.status()).as(apply.error() + "\n" + kubelet.logOf("e1-dev", "step-1"))
        .isEqualTo(TaskStatus.SUCCEEDED);
    StepOutput output = Json.convert(apply.output(), StepOutput.class);
    assertThat(output.changesets()).extracting(StepOutput.ChangeSet::id).contains("create-orders");
    assertThat(db.tableExists("orders")).isTrue();

    TaskOutcome cleanup = run(handlers, TaskTypes.CLEANUP_STAGE, new CleanupStagePayload("e1", "dev", "e1-dev"));
    assertThat(cleanup.status()).isEqualTo(TaskStatus.SUCCEEDED);
    assertThat(client.pods().inNamespace(MockKubernetes.NAMESPACE).list().getItems()).isEmpty();
    assertThat(client.secrets().inNamespace(MockKubernetes.NAMESPACE).list().getItems()).isEmpty();
    await().atMost(Duration.ofSeconds(20)).until(() -> !kubelet.running("e1-dev") && !Ports.listening(basePort));
  }

  private String logServiceUrl() {
    return logService.url();
  }

  private static TaskOutcome run(Map<String, TaskHandler> handlers, String type, Object payload) throws Exception {
    JsonNode json = Json.tree(payload);
    return handlers.get(type).run(new Frame.TaskAssigned("t-" + type, type, 1, 300, 60, json));
  }

  private static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
