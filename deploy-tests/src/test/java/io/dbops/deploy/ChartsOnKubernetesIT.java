package io.dbops.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.Release;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Both charts installed, upgraded and uninstalled with real Helm (helm-java) against a real
 * kube-apiserver ({@link RealKubernetes}): the server validates every object (NetworkPolicies, Roles,
 * the Namespace, the PodDisruptionBudget of the API version the cluster serves) and the controller
 * manager deletes the build namespace on uninstall. Nothing runs the pods: there is no scheduler or
 * kubelet, so Deployments are accepted and stay at zero ready replicas.
 */
class ChartsOnKubernetesIT {
  private Path kubeconfig;
  private KubernetesClient client;
  private String namespace;

  @BeforeEach
  void connect() {
    kubeconfig = RealKubernetes.kubeconfig();
    client = RealKubernetes.client(kubeconfig);
    namespace = "dbops-real-" + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20, 1 << 24), 36);
  }

  @AfterEach
  void close() {
    if (client != null) {
      client.namespaces().withName(namespace).delete();
      client.close();
    }
  }

  @Test
  void delegateChartInstallsUpgradesAndUninstallsWithDefaultValues() {
    Release installed = install(Charts.DELEGATE, Map.of());
    assertThat(installed.getStatus()).isEqualTo("deployed");

    String builds = namespace + "-builds";
    var buildNamespace = client.namespaces().withName(builds).get();
    assertThat(buildNamespace).as("the build namespace the chart created").isNotNull();
    assertThat(buildNamespace.getMetadata().getLabels()).containsEntry("kubernetes.io/metadata.name", builds);
    assertThat(client.network().v1().networkPolicies().inNamespace(namespace).withName("dbops-dbops-delegate").get())
        .as("the delegate's NetworkPolicy").isNotNull();
    var buildPolicy = client.network().v1().networkPolicies().inNamespace(builds)
        .withName("dbops-dbops-delegate-build-pods").get();
    assertThat(buildPolicy).as("the build pods' NetworkPolicy").isNotNull();
    assertThat(buildPolicy.getSpec().getIngress()).hasSize(1);
    assertThat(buildPolicy.getSpec().getIngress().get(0).getPorts().get(0).getPort().getIntVal()).isEqualTo(20001);
    var buildRole = client.rbac().roles().inNamespace(builds).withName("dbops-dbops-delegate-build").get();
    assertThat(buildRole.getRules()).extracting(PolicyRule::getResources)
        .containsExactly(List.of("pods"), List.of("secrets"));
    assertThat(client.rbac().roles().inNamespace(namespace).list().getItems())
        .as("no Role in the release namespace by default").isEmpty();
    assertThat(client.apps().deployments().inNamespace(namespace).withName("dbops-dbops-delegate").get()).isNotNull();

    // upgrade: kubernetes: secret sources for one named Secret, a database target
    Release upgraded = upgrade(Charts.DELEGATE, Map.of("rbac.secretSources.enabled", true,
        "rbac.secretSources.resourceNames[0]", "orders-db", "allow.hosts[0]", "orders-db.prod.svc:5432",
        "networkPolicy.databases[0].cidr", "10.20.0.0/16", "networkPolicy.databases[0].ports[0]", 5432));
    assertThat(upgraded.getRevision()).isEqualTo("2");
    var secretRole = client.rbac().roles().inNamespace(namespace).withName("dbops-dbops-delegate-secret-sources").get();
    assertThat(secretRole.getRules()).singleElement().satisfies(rule -> {
      assertThat(rule.getResourceNames()).containsExactly("orders-db");
      assertThat(rule.getVerbs()).containsExactly("get");
    });
    assertThat(client.network().v1().networkPolicies().inNamespace(builds).withName("dbops-dbops-delegate-build-pods")
        .get().getSpec().getEgress()).hasSize(3);

    uninstall();
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
        .untilAsserted(() -> assertThat(client.namespaces().withName(builds).get())
            .as("the build namespace, removed by the namespace controller").isNull());
    assertThat(client.rbac().roles().inNamespace(namespace).list().getItems()).isEmpty();
  }

  @Test
  void controlPlaneChartInstallsUpgradesAndUninstallsWithDefaultValues() {
    Release installed = install(Charts.CONTROL_PLANE, Map.of("tls.secretName", "dbops-tls"));
    assertThat(installed.getStatus()).isEqualTo("deployed");

    var policy = client.network().v1().networkPolicies().inNamespace(namespace).withName("dbops-dbops-control-plane")
        .get();
    assertThat(policy).isNotNull();
    assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress", "Egress");
    var deployment = client.apps().deployments().inNamespace(namespace).withName("dbops-dbops-control-plane").get();
    var container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getReadinessProbe().getHttpGet().getScheme()).isEqualTo("HTTPS");
    assertThat(container.getEnv()).anySatisfy(e -> assertThat(e.getName()).isEqualTo("DBOPS_TLS_CERT"));
    // the PodDisruptionBudget in the API version this cluster serves (policy/v1beta1 before 1.21)
    boolean servesV1 = client.getApiGroup("policy").getVersions().stream().anyMatch(v -> v.getVersion().equals("v1"));
    assertThat(servesV1
        ? client.policy().v1().podDisruptionBudget().inNamespace(namespace).list().getItems()
        : client.policy().v1beta1().podDisruptionBudget().inNamespace(namespace).list().getItems())
        .as("the PodDisruptionBudget (policy/%s)", servesV1 ? "v1" : "v1beta1").hasSize(1);

    Release upgraded = upgrade(Charts.CONTROL_PLANE, Map.of("tls.secretName", "dbops-tls",
        "database.url", "jdbc:postgresql://db.example.internal:5432/dbops",
        "networkPolicy.database.cidrs[0]", "10.50.0.0/16"));
    assertThat(upgraded.getRevision()).isEqualTo("2");
    assertThat(client.network().v1().networkPolicies().inNamespace(namespace).withName("dbops-dbops-control-plane")
        .get().getSpec().getEgress()).hasSize(2);

    uninstall();
    assertThat(client.apps().deployments().inNamespace(namespace).list().getItems()).isEmpty();
  }

  @Test
  void bothChartsInstallWithEveryOption() {
    // The ServiceMonitor needs the Prometheus Operator's CRD, which this API server does not have.
    Release delegate = install(Charts.DELEGATE, Map.of("metrics.serviceMonitor.enabled", false),
        "delegate-all-values.yaml");
    assertThat(delegate.getStatus()).isEqualTo("deployed");
    assertThat(client.network().v1().networkPolicies().inNamespace("dbops-builds").withName("dbops-eu-build-pods")
        .get().getSpec().getEgress()).hasSize(5);
    uninstall();

    Release controlPlane = install(Charts.CONTROL_PLANE, Map.of("metrics.serviceMonitor.enabled", false),
        "control-plane-all-values.yaml");
    assertThat(controlPlane.getStatus()).isEqualTo("deployed");
    uninstall();
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
        .until(() -> client.namespaces().withName("dbops-builds").get() == null);
  }

  private Release install(String chart, Map<String, ?> set, String... valuesFiles) {
    var install = new Helm(Charts.chart(chart)).install().withName(Charts.RELEASE).withNamespace(namespace)
        .createNamespace().withKubeConfig(kubeconfig);
    for (String file : valuesFiles) {
      install = install.withValuesFile(Charts.values(file));
    }
    for (Map.Entry<String, ?> e : set.entrySet()) {
      install = install.set(e.getKey(), e.getValue());
    }
    return install.call();
  }

  private Release upgrade(String chart, Map<String, ?> set) {
    var upgrade = new Helm(Charts.chart(chart)).upgrade().withName(Charts.RELEASE).withNamespace(namespace)
        .withKubeConfig(kubeconfig);
    for (Map.Entry<String, ?> e : set.entrySet()) {
      upgrade = upgrade.set(e.getKey(), e.getValue());
    }
    return upgrade.call();
  }

  private void uninstall() {
    Helm.uninstall(Charts.RELEASE).withNamespace(namespace).withKubeConfig(kubeconfig).call();
  }
}
