package io.dbops.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The delegate chart's Roles, enforced by a real API server's RBAC: the delegate's service account
 * (impersonated by the test's admin) may do exactly what the Kubernetes runtime does in the build
 * namespace, may get only the named secret-source Secrets in its own namespace, and is refused its
 * own token Secret, Helm's release Secrets and everything else with the API server's own 403. A pod
 * that owns its Secret (the merge patch the runtime sends) takes it along when deleted: the controller
 * manager's garbage collector.
 */
class ChartRbacOnKubernetesIT {
  private Path kubeconfig;
  private KubernetesClient admin;
  private String namespace;
  private String builds;

  @BeforeEach
  void install() {
    kubeconfig = RealKubernetes.kubeconfig();
    admin = RealKubernetes.client(kubeconfig);
    namespace = "dbops-rbac-" + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20, 1 << 24), 36);
    builds = namespace + "-builds";
    new Helm(Charts.chart(Charts.DELEGATE)).install().withName(Charts.RELEASE).withNamespace(namespace)
        .createNamespace().withKubeConfig(kubeconfig)
        .set("token.value", "dbops_rbacTestToken0123456789")
        .set("rbac.secretSources.enabled", true).set("rbac.secretSources.resourceNames[0]", "orders-db")
        .call();
    for (String name : new String[] {"orders-db", "other-db"}) {
      admin.secrets().inNamespace(namespace).resource(new SecretBuilder().withNewMetadata().withName(name)
          .endMetadata().addToStringData("password", "pw-" + name).build()).create();
    }
  }

  @AfterEach
  void uninstall() {
    if (admin != null) {
      Helm.uninstall(Charts.RELEASE).withNamespace(namespace).withKubeConfig(kubeconfig).ignoreNotFound().call();
      admin.namespaces().withName(namespace).delete();
      admin.close();
    }
  }

  @Test
  void theDelegatesServiceAccountMayDoExactlyWhatTheChartGrants() throws IOException {
    try (KubernetesClient delegate = asServiceAccount("dbops-dbops-delegate")) {
      // the build namespace: what the Kubernetes runtime does (docs/kubernetes.md, RBAC)
      Secret env = delegate.secrets().inNamespace(builds).resource(new SecretBuilder().withNewMetadata()
          .withName("pod-1-env").addToLabels("dbops.io/part", "env").endMetadata()
          .addToStringData("DBOPS_DB_PASSWORD", "x").build()).create();
      assertThat(env.getMetadata().getUid()).isNotEmpty();
      assertThat(delegate.secrets().inNamespace(builds).withLabel("dbops.io/part", "env").list().getItems()).hasSize(1);
      Pod pod = delegate.pods().inNamespace(builds).resource(pod("pod-1")).create();
      assertThat(pod.getMetadata().getUid()).isNotEmpty();
      assertThat(delegate.pods().inNamespace(builds).withLabel("dbops.io/part", "pod").list().getItems()).hasSize(1);
      // merge patches as the runtime sends them (through resource(...), without reading the object first):
      // the pod owns its Secret, and its lease is renewed
      String owner = "{\"metadata\":{\"ownerReferences\":[{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"name\":\"pod-1\","
          + "\"uid\":\"" + pod.getMetadata().getUid() + "\"}]}}";
      delegate.secrets().inNamespace(builds).resource(env).patch(PatchContext.of(PatchType.JSON_MERGE), owner);
      delegate.pods().inNamespace(builds).resource(pod)
          .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"annotations\":{\"dbops.io/lease-expires\":\"x\"}}}");
      // not granted, not needed: reading a pod or a build Secret back
      assertForbidden(() -> delegate.pods().inNamespace(builds).withName("pod-1").get(),
          "pods \"pod-1\" is forbidden", "cannot get resource \"pods\"");
      assertForbidden(() -> delegate.secrets().inNamespace(builds).withName("pod-1-env").get(),
          "secrets \"pod-1-env\" is forbidden", "cannot get resource \"secrets\"");
      // deleting the pod: the controller manager's garbage collector removes the Secret it owns
      delegate.pods().inNamespace(builds).withName("pod-1").withGracePeriod(0).delete();
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
          .until(() -> admin.secrets().inNamespace(builds).withName("pod-1-env").get() == null);
      // and the runtime's own cleanup may delete Secrets too
      delegate.secrets().inNamespace(builds).resource(new SecretBuilder().withNewMetadata().withName("pod-2-env")
          .endMetadata().addToStringData("K", "v").build()).create();
      delegate.secrets().inNamespace(builds).withName("pod-2-env").delete();

      // its own namespace: only the named secret source
      assertThat(delegate.secrets().inNamespace(namespace).withName("orders-db").get().getData())
          .containsKey("password");
      assertForbidden(() -> delegate.secrets().inNamespace(namespace).withName("other-db").get(),
          "secrets \"other-db\" is forbidden", "cannot get resource \"secrets\"");
      assertForbidden(() -> delegate.secrets().inNamespace(namespace).withName("dbops-dbops-delegate-token").get(),
          "secrets \"dbops-dbops-delegate-token\" is forbidden");
      assertForbidden(() -> delegate.secrets().inNamespace(namespace).withName("sh.helm.release.v1.dbops.v1").get(),
          "secrets \"sh.helm.release.v1.dbops.v1\" is forbidden");
      assertForbidden(() -> delegate.secrets().inNamespace(namespace).list(),
          "cannot list resource \"secrets\"");
      assertForbidden(() -> delegate.pods().inNamespace(namespace).resource(pod("pod-2")).create(),
          "cannot create resource \"pods\"");
      // and nothing cluster-wide
      assertForbidden(() -> delegate.namespaces().list(), "cannot list resource \"namespaces\"");
    }
  }

  private KubernetesClient asServiceAccount(String name) throws IOException {
    Config config = new ConfigBuilder(Config.fromKubeconfig(Files.readString(kubeconfig)))
        .withImpersonateUsername("system:serviceaccount:" + namespace + ":" + name)
        .withImpersonateGroups("system:serviceaccounts", "system:serviceaccounts:" + namespace,
            "system:authenticated")
        .build();
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  private static Pod pod(String name) {
    return new PodBuilder().withNewMetadata().withName(name)
        .withLabels(Map.of("app.kubernetes.io/managed-by", "dbops-delegate", "dbops.io/part", "pod")).endMetadata()
        .withNewSpec().withRestartPolicy("Never").withAutomountServiceAccountToken(false)
        .addNewContainer().withName("lite-engine").withImage("dbops/dbops:0.1.0").endContainer()
        .endSpec().build();
  }

  /** Refused by the API server's RBAC: 403, with its own message. */
  private static void assertForbidden(ThrowingCallable call, String... messageParts) {
    assertThatThrownBy(call).isInstanceOf(KubernetesClientException.class)
        .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(403))
        .hasMessageContainingAll(messageParts);
  }
}
