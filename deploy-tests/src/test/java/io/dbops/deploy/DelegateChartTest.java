package io.dbops.deploy;

import static io.dbops.deploy.Charts.DELEGATE;
import static io.dbops.deploy.Charts.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.controlplane.config.ControlPlaneConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** deploy/helm/dbops-delegate, linted and rendered by real Helm. */
class DelegateChartTest {
  /**
   * The documented minimum in the build namespace (docs/operations.md): exactly the verbs the code uses
   * (the agent's KubernetesRbacIT records them).
   */
  private static final List<Map<String, List<String>>> DOCUMENTED_MINIMUM = List.of(
      Map.of("apiGroups", List.of(""), "resources", List.of("pods"),
          "verbs", List.of("create", "list", "watch", "patch", "delete")),
      Map.of("apiGroups", List.of(""), "resources", List.of("secrets"),
          "verbs", List.of("create", "list", "patch", "delete")));
  /** kubernetes: secret sources, in the delegate's own namespace, named Secrets only (docs/operations.md). */
  private static final List<Map<String, List<String>>> SECRET_SOURCES = List.of(
      Map.of("apiGroups", List.of(""), "resources", List.of("secrets"), "resourceNames", List.of("orders-db"),
          "verbs", List.of("get")));
  private static final Map<String, Object> SECRET_SOURCES_ON = Map.of("rbac.secretSources.enabled", true,
      "rbac.secretSources.resourceNames[0]", "orders-db");
  private static final String BUILD_ROLE = "dbops-dbops-delegate-build";
  private static final String SECRET_SOURCES_ROLE = "dbops-dbops-delegate-secret-sources";

  @Test
  void passesStrictLint() {
    var result = Charts.lint(DELEGATE);

    assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
    assertThat(Charts.lintProblems(result)).isEmpty();
  }

  @Test
  void rendersHardenedDeploymentWithDefaultValues() {
    Manifests m = Charts.render(DELEGATE);

    assertThat(m.kinds()).containsExactly("Deployment", "Namespace", "NetworkPolicy", "NetworkPolicy",
        "PodDisruptionBudget", "Role", "RoleBinding", "Service", "ServiceAccount");
    JsonNode pod = m.podSpec();
    JsonNode c = m.container("delegate");
    assertThat(Manifests.texts(c.path("command"))).containsExactly("/opt/dbops/bin/dbops");
    assertThat(Manifests.texts(c.path("args"))).containsExactly("delegate");
    assertThat(c.path("image").asText()).isEqualTo("dbops/dbops:" + Charts.chartField(DELEGATE, "appVersion"))
        .as("the build pod image the control plane names by default").isEqualTo(ControlPlaneConfig.DEFAULT_IMAGE);

    // probes on the metrics port
    assertThat(c.path("ports").get(0).path("name").asText()).isEqualTo("metrics");
    assertThat(c.path("ports").get(0).path("containerPort").asInt()).isEqualTo(9090);
    assertThat(c.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/healthz");
    assertThat(c.path("livenessProbe").path("httpGet").path("port").asText()).isEqualTo("metrics");
    assertThat(c.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/readyz");
    assertThat(c.path("readinessProbe").path("httpGet").path("port").asText()).isEqualTo("metrics");
    assertThat(c.path("startupProbe").path("httpGet").path("path").asText()).isEqualTo("/healthz");

    // security
    assertHardened(pod, c);
    assertThat(pod.path("automountServiceAccountToken").asBoolean()).isTrue();

    // small resources
    assertThat(c.path("resources").path("requests").path("cpu").asText()).isEqualTo("50m");
    assertThat(c.path("resources").path("requests").path("memory").asText()).isEqualTo("160Mi");
    assertThat(c.path("resources").path("limits").path("memory").asText()).isEqualTo("384Mi");

    // drain: grace = DBOPS_DRAIN_SECONDS + margin, and the margin covers the drain's own ~15 s
    Map<String, String> env = Manifests.plainEnv(c);
    assertThat(pod.path("terminationGracePeriodSeconds").asInt()).isEqualTo(90);
    assertThat(env).containsEntry("DBOPS_DRAIN_SECONDS", "60");

    assertThat(env).containsEntry("DBOPS_RUNTIME", "kubernetes")
        .containsEntry("DBOPS_DELEGATE_NAME", "dbops-dbops-delegate")
        .containsEntry("DBOPS_CAPACITY", "10")
        .containsEntry("DBOPS_TRANSPORT", "websocket")
        .containsEntry("DBOPS_METRICS_PORT", "9090")
        .containsEntry("DBOPS_METRICS_BIND", "0.0.0.0")
        .containsEntry("DBOPS_STATE_DIR", "/var/lib/dbops/delegate")
        .containsEntry("DBOPS_POD_IMAGE", c.path("image").asText())
        .containsEntry("DBOPS_ALLOW_INSECURE", "false")
        .containsEntry("DBOPS_TOKEN_SECRET_NAME", "dbops-dbops-delegate-token")
        .doesNotContainKeys("DBOPS_TOKEN", "DBOPS_TAGS", "DBOPS_CA_BUNDLE", "DBOPS_CLIENT_CERT", "HTTPS_PROXY",
            "DBOPS_KUBERNETES_SERVICE_ACCOUNT")
        // every allowlist empty: nothing allowed
        .doesNotContainKeys(DelegateChartDefencesTest.ALLOWLISTS.toArray(String[]::new));
    // the build namespace is a namespace of its own, created by the chart
    assertThat(env).containsEntry("DBOPS_KUBERNETES_NAMESPACE", NAMESPACE + "-builds");
    assertThat(m.named("Role", BUILD_ROLE).path("metadata").path("namespace").asText()).isEqualTo(NAMESPACE + "-builds");
    assertThat(m.one("Namespace").path("metadata").path("name").asText()).isEqualTo(NAMESPACE + "-builds");

    // a read-only root filesystem: the state directory and /tmp are emptyDirs
    assertThat(mountPaths(c)).containsEntry("state", "/var/lib/dbops").containsEntry("tmp", "/tmp");
    assertThat(env.get("DBOPS_STATE_DIR")).startsWith("/var/lib/dbops/");
    assertThat(pod.path("volumes").findValues("emptyDir")).hasSize(2);

    JsonNode deployment = m.one("Deployment");
    assertThat(deployment.path("spec").path("replicas").asInt()).isEqualTo(1);
    assertThat(deployment.path("spec").path("strategy").path("rollingUpdate").path("maxUnavailable").asInt())
        .isZero();
    assertThat(m.one("PodDisruptionBudget").path("spec").path("maxUnavailable").asInt()).isEqualTo(1);
    assertThat(m.one("PodDisruptionBudget").path("spec").path("selector"))
        .isEqualTo(deployment.path("spec").path("selector"));
  }

  @Test
  void roleInTheBuildNamespaceGrantsExactlyTheDocumentedMinimum() throws IOException {
    Manifests m = Charts.render(DELEGATE, Map.of("build.namespace", "dbops-builds"));

    JsonNode role = m.named("Role", BUILD_ROLE);
    assertThat(role.path("metadata").path("namespace").asText()).isEqualTo("dbops-builds");
    assertThat(rules(role.path("rules"))).isEqualTo(DOCUMENTED_MINIMUM);
    assertThat(role.toString()).doesNotContain("*");
    assertThat(m.kinds()).doesNotContain("ClusterRole", "ClusterRoleBinding");

    JsonNode binding = m.named("RoleBinding", BUILD_ROLE);
    assertThat(binding.path("metadata").path("namespace").asText()).isEqualTo("dbops-builds");
    assertThat(binding.path("roleRef").path("name").asText()).isEqualTo(role.path("metadata").path("name").asText());
    JsonNode subject = binding.path("subjects").get(0);
    assertThat(subject.path("kind").asText()).isEqualTo("ServiceAccount");
    assertThat(subject.path("name").asText())
        .isEqualTo(m.one("ServiceAccount").path("metadata").path("name").asText())
        .isEqualTo(m.podSpec().path("serviceAccountName").asText());
    assertThat(subject.path("namespace").asText()).isEqualTo(NAMESPACE);

    // docs/operations.md shows the same list
    assertThat(rules(documentedMinimum().path("rules"))).isEqualTo(DOCUMENTED_MINIMUM);
  }

  @Test
  void secretSourcesRoleInTheReleaseNamespaceGrantsOnlyGetOnSecrets() throws IOException {
    Manifests m = Charts.render(DELEGATE, with(SECRET_SOURCES_ON, "build.namespace", "dbops-builds"));

    JsonNode role = m.named("Role", SECRET_SOURCES_ROLE);
    assertThat(role.path("metadata").path("namespace").asText()).isEqualTo(NAMESPACE);
    assertThat(rules(role.path("rules"))).isEqualTo(SECRET_SOURCES);
    JsonNode binding = m.named("RoleBinding", SECRET_SOURCES_ROLE);
    assertThat(binding.path("metadata").path("namespace").asText()).isEqualTo(NAMESPACE);
    assertThat(binding.path("roleRef").path("name").asText()).isEqualTo(SECRET_SOURCES_ROLE);
    assertThat(binding.path("subjects").get(0).path("name").asText())
        .isEqualTo(m.podSpec().path("serviceAccountName").asText());
    // docs/operations.md shows the same list
    assertThat(rules(documentedBlock("secret sources").path("rules"))).isEqualTo(SECRET_SOURCES);

    // off by default: no Role in the release namespace at all
    Manifests off = Charts.render(DELEGATE);
    assertThat(off.kinds()).containsOnlyOnce("Role", "RoleBinding");
    assertThat(off.one("Role").path("metadata").path("name").asText()).isEqualTo(BUILD_ROLE);
  }

  @Test
  void rendersEveryOption() {
    Manifests m = Charts.render(DELEGATE, "delegate-all-values.yaml");

    assertThat(m.kinds()).containsExactly("Deployment", "Namespace", "NetworkPolicy", "NetworkPolicy",
        "PodDisruptionBudget", "Role", "Role", "RoleBinding", "RoleBinding", "Service", "ServiceAccount",
        "ServiceMonitor");
    JsonNode deployment = m.one("Deployment");
    JsonNode pod = m.podSpec();
    JsonNode c = m.container("delegate");
    assertThat(deployment.path("metadata").path("name").asText()).isEqualTo("dbops-eu");
    assertThat(deployment.path("spec").path("replicas").asInt()).isEqualTo(3);
    assertThat(c.path("image").asText()).isEqualTo("registry.example.com/platform/dbops@sha256:"
        + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    assertThat(c.path("imagePullPolicy").asText()).isEqualTo("Always");
    assertThat(pod.path("imagePullSecrets").get(0).path("name").asText()).isEqualTo("registry-credentials");
    assertThat(pod.path("terminationGracePeriodSeconds").asInt()).isEqualTo(300 + 45);
    assertThat(pod.path("priorityClassName").asText()).isEqualTo("dbops-critical");
    assertThat(pod.path("serviceAccountName").asText()).isEqualTo("dbops-eu-delegate");
    assertThat(pod.path("securityContext").path("runAsUser").asInt()).isEqualTo(20001);
    assertThat(pod.path("nodeSelector").path("kubernetes.io/os").asText()).isEqualTo("linux");
    assertThat(pod.path("tolerations").get(0).path("value").asText()).isEqualTo("dbops");
    assertThat(pod.path("affinity").path("podAntiAffinity").isObject()).isTrue();
    assertThat(pod.path("topologySpreadConstraints").get(0).path("topologyKey").asText())
        .isEqualTo("topology.kubernetes.io/zone");
    JsonNode podMeta = deployment.path("spec").path("template").path("metadata");
    assertThat(podMeta.path("annotations").path("example.com/team").asText()).isEqualTo("databases");
    assertThat(podMeta.path("labels").path("example.com/cost-center").asText()).isEqualTo("42");
    assertThat(m.one("ServiceAccount").path("metadata").path("annotations").path("eks.amazonaws.com/role-arn")
        .asText()).startsWith("arn:aws:iam::");

    assertThat(Manifests.plainEnv(c))
        .containsEntry("DBOPS_SERVER_URL", "https://dbops.example.com:8443")
        .containsEntry("DBOPS_ALLOW_INSECURE", "false")
        .containsEntry("DBOPS_DELEGATE_NAME", "eu-prod")
        .containsEntry("DBOPS_TAGS", "eu,prod,postgres")
        .containsEntry("DBOPS_CAPACITY", "25")
        .containsEntry("DBOPS_RUNTIME", "kubernetes")
        .containsEntry("DBOPS_KUBERNETES_NAMESPACE", "dbops-builds")
        .containsEntry("DBOPS_POD_IMAGE", "registry.example.com/platform/dbops-build:0.1.0")
        .containsEntry("DBOPS_KUBERNETES_SERVICE_ACCOUNT", "dbops-build-pods")
        .containsEntry("DBOPS_TRANSPORT", "long-poll")
        .containsEntry("DBOPS_DRAIN_SECONDS", "300")
        .containsEntry("DBOPS_RECONNECT_MAX_SECONDS", "30")
        .containsEntry("DBOPS_CA_BUNDLE", "/etc/dbops/ca/ca.pem")
        .containsEntry("DBOPS_CLIENT_CERT", "/etc/dbops/client/cert.pem")
        .containsEntry("DBOPS_CLIENT_KEY", "/etc/dbops/client/key.pem")
        .containsEntry("DBOPS_METRICS_PORT", "9191")
        .containsEntry("DBOPS_LOG_FORMAT", "text")
        .containsEntry("DBOPS_LOG_LEVEL", "DEBUG")
        .containsEntry("DBOPS_JAVA_OPTS", "-XX:MaxRAMPercentage=60.0 -Xss512k")
        .containsEntry("HTTPS_PROXY", "http://proxy.example.com:3128")
        .containsEntry("HTTP_PROXY", "http://proxy.example.com:3128")
        .containsEntry("NO_PROXY", "10.0.0.0/8,.svc,.cluster.local,kubernetes.default.svc")
        .containsEntry("TZ", "Europe/Paris")
        .containsEntry("DBOPS_TOKEN_SECRET_NAME", "dbops-delegate-token")
        .containsEntry("DBOPS_ALLOW_SECRET_ENV", "ORDERS_DB_*,REPORTING_PASSWORD")
        .containsEntry("DBOPS_ALLOW_SECRET_FILES", "/var/run/secrets/dbops")
        .containsEntry("DBOPS_ALLOW_SECRET_KUBERNETES", "orders-db,reporting-*")
        .containsEntry("DBOPS_ALLOW_HOSTS", "*.db.internal:5432,10.20.0.0/16:5432-5439")
        .containsEntry("DBOPS_ALLOW_GIT_URLS", "https://github.com/acme/*")
        .containsEntry("DBOPS_ALLOW_JDBC_PROPERTIES", "postgresql:sslcert,mariadb:useCompression")
        .containsEntry("DBOPS_ALLOW_H2_DIR", "/var/lib/dbops/h2")
        .containsEntry("DBOPS_STEP_ALLOW_CHANGE_TYPES", "executeCommand,sqlFileAccess");
    JsonNode namespace = m.one("Namespace").path("metadata");
    assertThat(namespace.path("name").asText()).isEqualTo("dbops-builds");
    assertThat(namespace.path("labels").path("example.com/team").asText()).isEqualTo("databases");
    assertThat(namespace.path("labels").path("kubernetes.io/metadata.name").asText()).isEqualTo("dbops-builds");

    // the CA bundle and the client certificate are files from a ConfigMap and a Secret
    assertThat(mountPaths(c)).containsEntry("ca-bundle", "/etc/dbops/ca")
        .containsEntry("client-certificate", "/etc/dbops/client");
    JsonNode ca = volume(pod, "ca-bundle").path("configMap");
    assertThat(ca.path("name").asText()).isEqualTo("corporate-ca");
    assertThat(ca.path("items").get(0).path("key").asText()).isEqualTo("bundle.pem");
    assertThat(ca.path("items").get(0).path("path").asText()).isEqualTo("ca.pem");
    JsonNode client = volume(pod, "client-certificate").path("secret");
    assertThat(client.path("secretName").asText()).isEqualTo("dbops-delegate-client");
    assertThat(client.path("items").findValuesAsText("key")).containsExactly("client.crt", "client.key");
    assertThat(client.path("items").findValuesAsText("path")).containsExactly("cert.pem", "key.pem");
    assertThat(volume(pod, "state").path("emptyDir").path("sizeLimit").asText()).isEqualTo("1Gi");
    assertThat(volume(pod, "tmp").path("emptyDir").path("sizeLimit").asText()).isEqualTo("128Mi");

    assertThat(c.path("ports").get(0).path("containerPort").asInt()).isEqualTo(9191);
    assertThat(c.path("startupProbe").path("failureThreshold").asInt()).isEqualTo(40);
    assertThat(c.path("livenessProbe").path("periodSeconds").asInt()).isEqualTo(20);
    assertThat(c.path("readinessProbe").path("timeoutSeconds").asInt()).isEqualTo(2);
    assertThat(c.path("resources").path("limits").path("cpu").asText()).isEqualTo("1");
    assertHardened(pod, c);

    JsonNode buildRole = m.all("Role").stream()
        .filter(r -> r.path("metadata").path("name").asText().endsWith("-build")).findFirst().orElseThrow();
    assertThat(buildRole.path("metadata").path("namespace").asText()).isEqualTo("dbops-builds");
    assertThat(rules(buildRole.path("rules"))).isEqualTo(DOCUMENTED_MINIMUM);
    assertThat(m.one("PodDisruptionBudget").path("spec").path("maxUnavailable").asInt()).isEqualTo(2);
    assertThat(m.one("Service").path("spec").path("ports").get(0).path("port").asInt()).isEqualTo(9191);
    JsonNode monitor = m.one("ServiceMonitor");
    assertThat(monitor.path("metadata").path("labels").path("release").asText()).isEqualTo("prometheus");
    assertThat(monitor.path("spec").path("endpoints").get(0).path("port").asText()).isEqualTo("metrics");
    assertThat(monitor.path("spec").path("endpoints").get(0).path("interval").asText()).isEqualTo("15s");
    assertThat(monitor.path("spec").path("selector").path("matchLabels"))
        .isEqualTo(m.one("Service").path("spec").path("selector"));
  }

  @Test
  void networkPolicyAllowsEgressOnlyToTheControlPlaneKubernetesApiDnsAndBuildPods() {
    JsonNode policy = Charts.render(DELEGATE, "delegate-all-values.yaml").named("NetworkPolicy", "dbops-eu").path("spec");

    assertThat(Manifests.texts(policy.path("policyTypes"))).containsExactly("Ingress", "Egress");
    assertThat(policy.path("ingress")).hasSize(1);
    assertThat(policy.path("ingress").get(0).path("ports").get(0).path("port").asText()).isEqualTo("metrics");
    JsonNode egress = policy.path("egress");
    assertThat(egress).hasSize(6);
    // control plane
    assertThat(egress.get(0).path("to").findValuesAsText("cidr")).containsExactly("203.0.113.10/32");
    assertThat(egress.get(0).path("to").get(1).path("namespaceSelector").isObject()).isTrue();
    assertThat(egress.get(0).path("ports").findValuesAsText("port")).containsExactly("8443");
    // Kubernetes API
    assertThat(egress.get(1).path("to").findValuesAsText("cidr")).containsExactly("10.0.0.1/32", "172.20.0.10/32");
    assertThat(egress.get(1).path("ports").findValuesAsText("port")).containsExactly("443");
    // DNS
    assertThat(egress.get(2).path("ports").findValuesAsText("port")).containsExactly("53", "53");
    assertThat(egress.get(2).path("ports").findValuesAsText("protocol")).containsExactly("UDP", "TCP");
    // the lite engine of build pods in the build namespace
    assertThat(egress.get(3).path("to").get(0).path("namespaceSelector").path("matchLabels")
        .path("kubernetes.io/metadata.name").asText()).isEqualTo("dbops-builds");
    assertThat(egress.get(3).path("ports").findValuesAsText("port")).containsExactly("20001");
    // ... selected by the labels the kubernetes runtime puts on them
    assertThat(egress.get(3).path("to").get(0).path("podSelector").path("matchLabels")
        .path(io.dbops.agent.runtime.kubernetes.PodLabels.PART).asText()).isEqualTo("pod");
    assertThat(egress.get(3).path("to").get(0).path("podSelector").path("matchLabels")
        .path(io.dbops.agent.runtime.kubernetes.PodLabels.MANAGED_BY).asText())
        .isEqualTo(io.dbops.agent.runtime.kubernetes.PodLabels.MANAGED_BY_VALUE);
    // the database targets: reachability checks
    assertThat(egress.get(4).path("to").findValuesAsText("cidr")).containsExactly("10.20.0.0/16");
    assertThat(egress.get(4).path("ports").findValuesAsText("port")).containsExactly("5432", "5433");
    // extraEgress: the proxy
    assertThat(egress.get(5).path("ports").findValuesAsText("port")).containsExactly("3128");
  }

  @Test
  void networkPolicyTakesTheControlPlanePortFromItsUrl() {
    Map<String, Object> set = Map.of("networkPolicy.kubernetesApi.cidrs[0]", "10.0.0.1/32",
        "networkPolicy.controlPlane.cidrs[0]", "203.0.113.10/32");

    assertThat(controlPlanePorts(Charts.render(DELEGATE, with(set, "controlPlane.url", "https://cp.example.com"))))
        .containsExactly("443");
    assertThat(controlPlanePorts(Charts.render(DELEGATE, with(set, "controlPlane.url", "https://cp.example.com:8443/"))))
        .containsExactly("8443");
  }

  @Test
  void tokenFromAnExistingSecretAppearsNowhereInTheOutput() {
    String token = "dbops_chartTestToken0123456789abcdefghijklmnopqr";

    Manifests fromSecret = Charts.render(DELEGATE, Map.of("token.existingSecret", "delegate-token"));
    assertThat(fromSecret.kinds()).doesNotContain("Secret");
    JsonNode ref = Manifests.env(fromSecret.container("delegate")).get("DBOPS_TOKEN").path("valueFrom")
        .path("secretKeyRef");
    assertThat(ref.path("name").asText()).isEqualTo("delegate-token");
    assertThat(ref.path("key").asText()).isEqualTo("token");
    assertThat(fromSecret.text()).doesNotContain("checksum/token");

    // From a value: only the chart's Secret holds it (base64), never in plain text.
    Manifests fromValue = Charts.render(DELEGATE, Map.of("token.value", token));
    assertThat(fromValue.text()).doesNotContain(token);
    String secretName = fromValue.one("Secret").path("metadata").path("name").asText();
    assertThat(fromValue.secretData(secretName)).containsExactly(Map.entry("token", token));
    JsonNode valueRef = Manifests.env(fromValue.container("delegate")).get("DBOPS_TOKEN").path("valueFrom")
        .path("secretKeyRef");
    assertThat(valueRef.path("name").asText()).isEqualTo(secretName);
    assertThat(valueRef.path("key").asText()).isEqualTo("token");
    assertThat(fromValue.one("Deployment").path("spec").path("template").path("metadata").path("annotations")
        .path("checksum/token").asText()).hasSize(64);

    // Both at once is refused, rather than silently preferring one.
    assertThat(Charts.renderError(DELEGATE, Map.of("token.value", token, "token.existingSecret", "delegate-token")))
        .contains("token: set token.value or token.existingSecret, not both")
        .doesNotContain(token);
    // and the all-options file (an existing Secret) renders no Secret and no checksum of a token
    Manifests all = Charts.render(DELEGATE, "delegate-all-values.yaml");
    assertThat(all.kinds()).doesNotContain("Secret");
    assertThat(all.text()).doesNotContain("checksum/token");
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(delimiter = '|', value = {
      "delegate.capacity|ten|- at '/delegate/capacity': got string, want integer",
      "delegate.capacity|0|- at '/delegate/capacity': minimum: got 0, want 1",
      "delegate.capacty|10|- at '/delegate': additional properties 'capacty' not allowed",
      "replicas|2|- at '': additional properties 'replicas' not allowed",
      "delegate.transport|grpc|- at '/delegate/transport': value must be one of 'websocket', 'long-poll'",
      "delegate.logFormat|xml|- at '/delegate/logFormat': value must be one of 'text', 'json'",
      "delegate.logLevel|verbose|- at '/delegate/logLevel': value must be one of 'TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'",
      "delegate.drainSeconds|-1|- at '/delegate/drainSeconds': minimum: got -1, want 0",
      "delegate.terminationMarginSeconds|5|- at '/delegate/terminationMarginSeconds': minimum: got 5, want 20",
      "delegate.tags[0]|eu prod|- at '/delegate/tags/0': 'eu prod' does not match pattern",
      "controlPlane.url|wss://cp.example.com|- at '/controlPlane/url': 'wss://cp.example.com' does not match pattern",
      "metrics.port|70000|- at '/metrics/port': maximum: got 70,000, want 65,535",
      "securityContext.allowPrivilegeEscalation|true|- at '/securityContext/allowPrivilegeEscalation': value must be false",
      "image.pullPolicy|Sometimes|- at '/image/pullPolicy': value must be one of 'Always', 'IfNotPresent', 'Never'",
  })
  void schemaRejectsInvalidValuesWithAReadableMessage(String key, String value, String message) {
    assertThat(Charts.renderError(DELEGATE, Map.of(key, value)))
        .startsWith("values don't meet the specifications of the schema(s) in the following chart(s):\ndbops-delegate:")
        .contains(message);
  }

  @Test
  void templatesRejectContradictorySettingsWithAReadableMessage() {
    assertThat(Charts.renderError(DELEGATE, Map.of("controlPlane.url", "http://cp.dbops-system.svc:8080")))
        .contains("controlPlane.url is plain http (http://cp.dbops-system.svc:8080): use https://, or set"
            + " controlPlane.allowInsecure=true");
    assertThat(Charts.renderError(DELEGATE, Map.of("tls.caBundle.configMap", "a", "tls.caBundle.secret", "b")))
        .contains("tls.caBundle: set configMap or secret, not both");
  }

  @Test
  void notesTellHowToCheckTheConnectionAndTailTheLogs() {
    String notes = Charts.notes(DELEGATE,
        Map.of("controlPlane.url", "https://cp.example.com", "token.existingSecret", "delegate-token"));

    assertThat(notes)
        .contains("kubectl -n dbops-system rollout status deployment/dbops-dbops-delegate")
        .contains("kubectl -n dbops-system logs -l app.kubernetes.io/instance=dbops,app.kubernetes.io/component=delegate"
            + " --tail=-1 | grep \"Connected to\"")
        .contains("curl -s https://cp.example.com/api/v1/delegates")
        .contains("curl -s localhost:9090/readyz")
        .contains("kubectl -n dbops-system logs -f -l app.kubernetes.io/instance=dbops,app.kubernetes.io/component=delegate"
            + " --prefix")
        .doesNotContain("WARNING");
    assertThat(Charts.notes(DELEGATE, Map.of()))
        .contains("WARNING: controlPlane.url is not set")
        .contains("WARNING: no token is set");
  }

  /** The pod and container security the issue asks for. */
  static void assertHardened(JsonNode pod, JsonNode container) {
    JsonNode podSecurity = pod.path("securityContext");
    assertThat(podSecurity.path("runAsNonRoot").asBoolean()).isTrue();
    assertThat(podSecurity.path("runAsUser").asInt()).isPositive();
    assertThat(podSecurity.path("seccompProfile").path("type").asText()).isEqualTo("RuntimeDefault");
    JsonNode security = container.path("securityContext");
    assertThat(security.path("runAsNonRoot").asBoolean()).isTrue();
    assertThat(security.path("readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(security.path("allowPrivilegeEscalation").isBoolean()).isTrue();
    assertThat(security.path("allowPrivilegeEscalation").asBoolean()).isFalse();
    assertThat(Manifests.texts(security.path("capabilities").path("drop"))).containsExactly("ALL");
    assertThat(security.path("capabilities").has("add")).isFalse();
    assertThat(security.path("seccompProfile").path("type").asText()).isEqualTo("RuntimeDefault");
    assertThat(container.path("resources").path("requests").path("memory").asText()).isNotEmpty();
    assertThat(container.path("resources").path("limits").path("memory").asText()).isNotEmpty();
    assertThat(container.path("livenessProbe").isObject()).isTrue();
    assertThat(container.path("readinessProbe").isObject()).isTrue();
    assertThat(pod.path("terminationGracePeriodSeconds").isInt()).isTrue();
  }

  static Map<String, String> mountPaths(JsonNode container) {
    Map<String, String> mounts = new java.util.LinkedHashMap<>();
    container.path("volumeMounts").forEach(v -> mounts.put(v.path("name").asText(), v.path("mountPath").asText()));
    return mounts;
  }

  static JsonNode volume(JsonNode pod, String name) {
    for (JsonNode v : pod.path("volumes")) {
      if (name.equals(v.path("name").asText())) {
        return v;
      }
    }
    throw new AssertionError("No volume " + name);
  }

  private static List<String> controlPlanePorts(Manifests m) {
    return m.named("NetworkPolicy", "dbops-dbops-delegate").path("spec").path("egress").get(0).path("ports")
        .findValuesAsText("port");
  }

  private static Map<String, Object> with(Map<String, Object> map, String key, Object value) {
    return DelegateChartDefencesTest.with(map, key, value);
  }

  /** Rules as plain lists and maps, so that two renderings compare by value. */
  @SuppressWarnings("unchecked")
  static List<Map<String, List<String>>> rules(JsonNode rules) {
    return Manifests.YAML.convertValue(rules, List.class);
  }

  /** The YAML block after the "documented minimum" marker in docs/operations.md. */
  private static JsonNode documentedMinimum() throws IOException {
    return documentedBlock("the documented minimum");
  }

  /** The YAML block after the {@code <!-- <marker>: ... -->} comment in docs/operations.md. */
  static JsonNode documentedBlock(String marker) throws IOException {
    String doc = Files.readString(Charts.repository().resolve("docs/operations.md"));
    Matcher block = Pattern.compile("<!-- " + Pattern.quote(marker) + "[^>]*-->\\s*```yaml\\n(.*?)```",
        Pattern.DOTALL).matcher(doc);
    assertThat(block.find()).as("docs/operations.md has the '" + marker + "' block").isTrue();
    return Manifests.YAML.readTree(block.group(1));
  }
}
