package io.dbops.deploy;

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
import io.dbops.protocol.ExecuteStepPayload;
import io.dbops.protocol.Frame;
import io.dbops.protocol.InitStagePayload;
import io.dbops.secrets.SealedBox;
import io.dbops.support.GrpcChannels;
import io.dbops.support.Json;
import io.dbops.testsupport.AcceptingLogService;
import io.dbops.testsupport.ChangelogRepository;
import io.dbops.testsupport.TestDatabase;
import io.dbops.testsupport.TestDatabases;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
/**
 * The fixture of the build pod tests against a real API server: the delegate chart installed in a
 * fresh namespace, a client acting as the chart's service account (impersonated; exactly the chart's
 * Roles), a {@link SimulatedKubelet} on the build namespace, a PostgreSQL database, a log service,
 * and the delegate's own Kubernetes runtime and task handlers (agent code, as a library).
 */
abstract class BuildPodOnKubernetesFixture {
  static final String DELEGATE_ACCOUNT = "dbops-dbops-delegate";
  static final String POD = "e1-dev";

  @TempDir Path work;
  Path kubeconfig;
  KubernetesClient admin;
  KubernetesClient delegate;
  String namespace;
  String builds;
  SimulatedKubelet kubelet;
  KubernetesPodRuntime runtime;
  GrpcChannels liteEngines;
  AcceptingLogService logService;
  TestDatabase db;
  String password;
  Map<String, TaskHandler> handlers;

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
    logService = AcceptingLogService.start();
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


  void handlers(int basePort, Map<String, String> allow) {
    runtime = new KubernetesPodRuntime(delegate, KubernetesRuntimeSettings.of(builds, null, null, "dc1", "i-1",
        Duration.ofSeconds(150)).withBasePort(basePort), Clock.systemUTC());
    runtime.start();
    DelegatePolicy policy = DelegatePolicy.forIsolatedPods(Allowlists.of(allow), work.resolve("state"));
    SecretResolver secrets = new SecretResolver(SealedBox.newKeyPair().getPrivate(), name -> null,
        new KubernetesSecrets(delegate, namespace), policy);
    handlers = new HashMap<>();
    TaskHandlers.standard(runtime, liteEngines, secrets, policy, new StageLogs(new OkHttpClient(), null),
        logService.url()).forEach(h -> handlers.put(h.taskType(), h));
  }

  static InitStagePayload initPayload(int steps, InitStagePayload.PodSettings pod) {
    return new InitStagePayload("e1", "dev", POD, "dbops/dbops:0.1.0", steps, Map.of(),
        List.of(new InitStagePayload.SecretEnv("DBOPS_DB_PASSWORD", "kubernetes:orders-db/password", null)), 600,
        pod);
  }

  ExecuteStepPayload.LogStreamRef logStream(String step) {
    return new ExecuteStepPayload.LogStreamRef(logService.url(), "executions/e1/stages/dev/steps/" + step,
        "log-token");
  }

  TaskOutcome run(String type, Object payload) throws Exception {
    JsonNode json = Json.tree(payload);
    return handlers.get(type).run(new Frame.TaskAssigned("t-" + type, type, 1, 300, 60, json));
  }

  Path gitRepository() throws Exception {
    return ChangelogRepository.create(work.resolve("repo"));
  }

  KubernetesClient asServiceAccount(String name) throws IOException {
    Config config = new ConfigBuilder(Config.fromKubeconfig(Files.readString(kubeconfig)))
        .withImpersonateUsername("system:serviceaccount:" + namespace + ":" + name)
        .withImpersonateGroups("system:serviceaccounts", "system:serviceaccounts:" + namespace,
            "system:authenticated")
        .build();
    return new KubernetesClientBuilder().withConfig(config).build();
  }
}
