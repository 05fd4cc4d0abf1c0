package io.dbops.deploy;

import static io.dbops.deploy.Charts.CONTROL_PLANE;
import static io.dbops.deploy.DelegateChartTest.assertHardened;
import static io.dbops.deploy.DelegateChartTest.mountPaths;
import static io.dbops.deploy.DelegateChartTest.volume;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.controlplane.config.ControlPlaneConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** deploy/helm/dbops-control-plane, linted and rendered by real Helm. */
class ControlPlaneChartTest {
  private static final String MASTER_KEY = "q3J9yXo1Vb6l0m2XcQ4nF8sT5uW7zA1bC3dE5fG7hI8=";
  /** The least the chart renders with: a TLS Secret (ControlPlaneChartDefencesTest shows why). */
  static final Map<String, Object> TLS = Map.of("tls.secretName", "dbops-tls");

  @Test
  void passesStrictLint() {
    var result = Charts.lint(CONTROL_PLANE);

    assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
    assertThat(Charts.lintProblems(result)).isEmpty();
  }

  @Test
  void rendersHardenedServerWithDefaultValues() {
    Manifests m = Charts.render(CONTROL_PLANE, TLS);

    assertThat(m.kinds()).containsExactly("Deployment", "NetworkPolicy", "PodDisruptionBudget", "Service",
        "ServiceAccount");
    JsonNode pod = m.podSpec();
    JsonNode c = m.container("control-plane");
    assertThat(Manifests.texts(c.path("command"))).containsExactly("/opt/dbops/bin/dbops");
    assertThat(Manifests.texts(c.path("args"))).containsExactly("server");
    assertThat(c.path("image").asText()).isEqualTo(ControlPlaneConfig.DEFAULT_IMAGE);
    assertThat(Manifests.plainEnv(c))
        .containsEntry("DBOPS_SERVER_BIND", "0.0.0.0")
        .containsEntry("DBOPS_SERVER_PORT", "8080")
        .containsEntry("DBOPS_PUBLIC_URL", "https://dbops-dbops-control-plane.dbops-system.svc:8080")
        .containsEntry("DBOPS_DATA_DIR", "/var/lib/dbops/server")
        .containsEntry("DBOPS_LOG_FORMAT", "json")
        .doesNotContainKeys("DBOPS_DB_URL", "DBOPS_DB_USER", "DBOPS_MASTER_KEY_FILE");
    assertThat(Manifests.env(c)).doesNotContainKey("DBOPS_DB_PASSWORD");

    assertThat(c.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/healthz");
    assertThat(c.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/readyz");
    assertThat(c.path("readinessProbe").path("httpGet").path("port").asText()).isEqualTo("http");
    assertThat(c.path("ports").get(0).path("containerPort").asInt()).isEqualTo(8080);
    assertHardened(pod, c);
    assertThat(pod.path("automountServiceAccountToken").asBoolean(true)).isFalse();
    assertThat(pod.path("terminationGracePeriodSeconds").asInt()).isEqualTo(30);
    assertThat(mountPaths(c)).containsEntry("data", "/var/lib/dbops").containsEntry("tmp", "/tmp");
    // the embedded H2 lives in an emptyDir: never two pods at once
    assertThat(m.one("Deployment").path("spec").path("strategy").path("type").asText()).isEqualTo("Recreate");

    JsonNode service = m.one("Service").path("spec");
    assertThat(service.path("type").asText()).isEqualTo("ClusterIP");
    assertThat(service.path("ports").get(0).path("targetPort").asText()).isEqualTo("http");
  }

  @Test
  void rendersEveryOption() {
    Manifests m = Charts.render(CONTROL_PLANE, "control-plane-all-values.yaml");

    assertThat(m.kinds()).containsExactly("Deployment", "NetworkPolicy", "PodDisruptionBudget", "Service",
        "ServiceAccount", "ServiceMonitor");
    JsonNode deployment = m.one("Deployment");
    JsonNode pod = m.podSpec();
    JsonNode c = m.container("control-plane");
    assertThat(deployment.path("metadata").path("name").asText()).isEqualTo("dbops-cp");
    assertThat(deployment.path("spec").path("replicas").asInt()).isEqualTo(3);
    assertThat(deployment.path("spec").path("strategy").path("rollingUpdate").path("maxUnavailable").asInt())
        .isZero();
    assertThat(c.path("image").asText()).isEqualTo("registry.example.com/platform/dbops:0.1.0-rc1");
    assertThat(c.path("imagePullPolicy").asText()).isEqualTo("Always");
    assertThat(pod.path("imagePullSecrets").get(0).path("name").asText()).isEqualTo("registry-credentials");
    assertThat(pod.path("serviceAccountName").asText()).isEqualTo("dbops-cp-sa");
    assertThat(pod.path("terminationGracePeriodSeconds").asInt()).isEqualTo(45);
    assertThat(pod.path("priorityClassName").asText()).isEqualTo("dbops-critical");
    assertThat(pod.path("securityContext").path("fsGroup").asInt()).isEqualTo(20001);
    assertThat(pod.path("nodeSelector").path("kubernetes.io/os").asText()).isEqualTo("linux");
    assertThat(pod.path("tolerations").get(0).path("operator").asText()).isEqualTo("Exists");
    assertThat(pod.path("affinity").path("podAntiAffinity").isObject()).isTrue();
    assertThat(pod.path("topologySpreadConstraints")).hasSize(1);
    JsonNode podMeta = deployment.path("spec").path("template").path("metadata");
    assertThat(podMeta.path("annotations").path("example.com/team").asText()).isEqualTo("platform");
    assertThat(podMeta.path("labels").path("example.com/cost-center").asText()).isEqualTo("7");

    assertThat(Manifests.plainEnv(c))
        .containsEntry("DBOPS_SERVER_PORT", "8081")
        .containsEntry("DBOPS_PUBLIC_URL", "https://dbops.example.com")
        .containsEntry("DBOPS_DB_URL", "jdbc:postgresql://postgres.example.internal:5432/dbops?sslmode=require")
        .containsEntry("DBOPS_MASTER_KEY_FILE", "/etc/dbops/master-key/master.key")
        .containsEntry("DBOPS_HEARTBEAT_SECONDS", "10")
        .containsEntry("DBOPS_LEASE_SECONDS", "90")
        .containsEntry("DBOPS_DISPATCH_DEADLINE_SECONDS", "300")
        .containsEntry("DBOPS_LOG_FORMAT", "text")
        .containsEntry("DBOPS_LOG_LEVEL", "WARN")
        .containsEntry("DBOPS_JAVA_OPTS", "-XX:MaxRAMPercentage=50.0")
        .containsEntry("DBOPS_LOG_RETENTION_DAYS", "30")
        .containsEntry("DBOPS_TLS_CERT", "/etc/dbops/tls/tls.crt")
        .containsEntry("DBOPS_TLS_KEY", "/etc/dbops/tls/tls.key")
        .containsEntry("DBOPS_OIDC_ISSUER", "https://idp.example.com:8443/realms/dbops")
        .containsEntry("DBOPS_OIDC_CLIENT_ID", "dbops-console")
        .containsEntry("DBOPS_OIDC_CLIENT_SECRET_FILE", "/etc/dbops/oidc/client-secret")
        .containsEntry("DBOPS_OIDC_REDIRECT_URL", "https://dbops.example.com/console/oidc/callback")
        .containsEntry("DBOPS_OIDC_SCOPES", "openid profile email groups")
        .containsEntry("DBOPS_OIDC_GROUPS_CLAIM", "roles")
        .containsEntry("DBOPS_OIDC_NAME_CLAIM", "email")
        .containsEntry("DBOPS_OIDC_ROLE_MAP", "dba=approver,dev=deployer:dev|staging,all=viewer")
        .containsEntry("DBOPS_NOTIFY_ALLOW_HOSTS", "hooks.slack.com,*.example.com:8443")
        .doesNotContainKey("DBOPS_OIDC_CLIENT_SECRET");
    assertThat(mountPaths(c)).containsEntry("oidc", "/etc/dbops/oidc");
    JsonNode oidc = volume(pod, "oidc").path("secret");
    assertThat(oidc.path("secretName").asText()).isEqualTo("dbops-oidc");
    assertThat(oidc.path("items").findValuesAsText("key")).containsExactly("secret");
    assertThat(oidc.path("items").findValuesAsText("path")).containsExactly("client-secret");
    JsonNode tls = volume(pod, "tls").path("secret");
    assertThat(tls.path("secretName").asText()).isEqualTo("dbops-tls");
    assertThat(tls.path("items").findValuesAsText("key")).containsExactly("cert.pem", "key.pem");
    Map<String, JsonNode> env = Manifests.env(c);
    assertThat(secretRef(env, "DBOPS_DB_USER")).isEqualTo("dbops-db/db-user");
    assertThat(secretRef(env, "DBOPS_DB_PASSWORD")).isEqualTo("dbops-db/db-password");

    assertThat(mountPaths(c)).containsEntry("master-key", "/etc/dbops/master-key");
    JsonNode key = volume(pod, "master-key").path("secret");
    assertThat(key.path("secretName").asText()).isEqualTo("dbops-master-key");
    assertThat(key.path("items").get(0).path("key").asText()).isEqualTo("key");
    assertThat(key.path("items").get(0).path("path").asText()).isEqualTo("master.key");
    assertThat(volume(pod, "data").path("emptyDir").path("sizeLimit").asText()).isEqualTo("2Gi");
    assertThat(volume(pod, "tmp").path("emptyDir").path("sizeLimit").asText()).isEqualTo("128Mi");

    assertThat(c.path("ports").get(0).path("containerPort").asInt()).isEqualTo(8081);
    assertThat(c.path("startupProbe").path("periodSeconds").asInt()).isEqualTo(5);
    assertThat(c.path("livenessProbe").path("failureThreshold").asInt()).isEqualTo(4);
    assertThat(c.path("readinessProbe").path("periodSeconds").asInt()).isEqualTo(10);
    assertThat(c.path("resources").path("limits").path("memory").asText()).isEqualTo("1Gi");
    assertHardened(pod, c);

    JsonNode service = m.one("Service");
    assertThat(service.path("spec").path("type").asText()).isEqualTo("LoadBalancer");
    assertThat(service.path("spec").path("ports").get(0).path("port").asInt()).isEqualTo(443);
    assertThat(service.path("metadata").path("annotations")
        .path("service.beta.kubernetes.io/aws-load-balancer-internal").asText()).isEqualTo("true");
    JsonNode monitor = m.one("ServiceMonitor");
    assertThat(monitor.path("spec").path("endpoints").get(0).path("port").asText()).isEqualTo("http");
    assertThat(monitor.path("spec").path("endpoints").get(0).path("interval").asText()).isEqualTo("20s");
    assertThat(monitor.path("spec").path("endpoints").get(0).path("scheme").asText()).isEqualTo("https");
    assertThat(monitor.path("spec").path("endpoints").get(0).path("tlsConfig").path("serverName").asText())
        .isEqualTo("dbops.example.com");
    assertThat(monitor.path("metadata").path("labels").path("release").asText()).isEqualTo("prometheus");
    assertThat(m.one("ServiceAccount").path("metadata").path("annotations").path("example.com/owner").asText())
        .isEqualTo("platform");
    // existing Secrets only: the chart renders none
    assertThat(m.kinds()).doesNotContain("Secret");
  }

  @Test
  void passwordAndMasterKeyFromValuesGoOnlyIntoSecrets() {
    String password = "s3cr3t-Database-Passw0rd";
    Manifests m = Charts.render(CONTROL_PLANE, Map.of(
        "database.url", "jdbc:postgresql://db:5432/dbops", "database.user", "dbops",
        "database.password", password, "masterKey.value", MASTER_KEY, "tls.secretName", "dbops-tls"));

    assertThat(m.text()).doesNotContain(password).doesNotContain(MASTER_KEY);
    assertThat(m.secretData("dbops-dbops-control-plane-database")).containsExactly(Map.entry("password", password));
    assertThat(m.secretData("dbops-dbops-control-plane-master-key")).containsExactly(Map.entry("master.key", MASTER_KEY));
    // uninstalling must not destroy the key that decrypts the stored secrets
    assertThat(m.named("Secret", "dbops-dbops-control-plane-master-key").path("metadata").path("annotations")
        .path("helm.sh/resource-policy").asText()).isEqualTo("keep");
    JsonNode c = m.container("control-plane");
    assertThat(Manifests.plainEnv(c)).containsEntry("DBOPS_DB_USER", "dbops");
    assertThat(secretRef(Manifests.env(c), "DBOPS_DB_PASSWORD")).isEqualTo("dbops-dbops-control-plane-database/password");
    assertThat(volume(m.podSpec(), "master-key").path("secret").path("secretName").asText())
        .isEqualTo("dbops-dbops-control-plane-master-key");
  }

  @Test
  void passwordAndMasterKeyFromExistingSecretsAppearNowhere() {
    Manifests m = Charts.render(CONTROL_PLANE, Map.of(
        "database.url", "jdbc:postgresql://db:5432/dbops", "database.existingSecret", "dbops-db",
        "masterKey.existingSecret", "dbops-master-key", "tls.secretName", "dbops-tls"));

    assertThat(m.kinds()).doesNotContain("Secret");
    assertThat(m.text()).doesNotContain("checksum/");
    assertThat(secretRef(Manifests.env(m.container("control-plane")), "DBOPS_DB_PASSWORD"))
        .isEqualTo("dbops-db/password");
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(delimiter = '|', value = {
      "server.port|http|- at '/server/port': got string, want integer",
      "server.heartbeatSeconds|0|- at '/server/heartbeatSeconds': minimum: got 0, want 1",
      "database.host|db|- at '/database': additional properties 'host' not allowed",
      "database.url|jdbc:mysql://db:3306/dbops|- at '/database/url': 'jdbc:mysql://db:3306/dbops' does not match pattern",
      "masterKey.value|too-short|- at '/masterKey/value': 'too-short' does not match pattern",
      "server.logFormat|yaml|- at '/server/logFormat': value must be one of 'text', 'json'",
      "service.type|ExternalName|- at '/service/type': value must be one of 'ClusterIP', 'NodePort', 'LoadBalancer'",
      "securityContext.readOnlyRootFilesystem|false|- at '/securityContext/readOnlyRootFilesystem': value must be true",
      "oidc.issuer|idp.example.com|- at '/oidc/issuer': 'idp.example.com' does not match pattern",
  })
  void schemaRejectsInvalidValuesWithAReadableMessage(String key, String value, String message) {
    assertThat(Charts.renderError(CONTROL_PLANE, Map.of(key, value)))
        .startsWith("values don't meet the specifications of the schema(s) in the following chart(s):\n"
            + "dbops-control-plane:")
        .contains(message);
  }

  @Test
  void templatesRejectContradictorySettingsWithAReadableMessage() {
    assertThat(Charts.renderError(CONTROL_PLANE, Map.of("replicaCount", 2)))
        .contains("replicaCount is 2 but database.url is not set: replicas share work only through one PostgreSQL"
            + " database");
    assertThat(Charts.renderError(CONTROL_PLANE, Map.of("database.url", "jdbc:postgresql://db/dbops",
        "database.password", "p", "database.existingSecret", "s")))
        .contains("database: set database.password or database.existingSecret, not both");
    assertThat(Charts.renderError(CONTROL_PLANE, Map.of("masterKey.value", MASTER_KEY, "masterKey.existingSecret", "k")))
        .contains("masterKey: set masterKey.value or masterKey.existingSecret, not both")
        .doesNotContain(MASTER_KEY);
    assertThat(Charts.renderError(CONTROL_PLANE, Map.of("database.user", "dbops", "tls.secretName", "t")))
        .contains("database.user, database.password or database.existingSecret is set but database.url is not");
    assertThat(Charts.renderError(CONTROL_PLANE, Map.of("tls.secretName", "t",
        "oidc.issuer", "https://idp.example.com/realms/dbops", "oidc.clientId", "dbops")))
        .contains("oidc.issuer is set: oidc.clientId (the client registered for dbops at the provider) and"
            + " oidc.roleMap (GROUP=ROLE entries");
    assertThat(Charts.renderError(CONTROL_PLANE, Map.of("tls.secretName", "t", "oidc.clientId", "dbops")))
        .contains("oidc.clientId, oidc.existingSecret or oidc.roleMap is set but oidc.issuer is not");
  }

  @Test
  void notesTellWhereTheAdminTokenIsAndHowToCallTheApi() {
    String notes = Charts.notes(CONTROL_PLANE, Map.of("database.url", "jdbc:postgresql://db:5432/dbops",
        "database.existingSecret", "dbops-db", "masterKey.existingSecret", "dbops-master-key",
        "tls.secretName", "dbops-tls"));

    assertThat(notes)
        .contains("The management API needs an API token")
        .contains("kubectl -n dbops-system exec deployment/dbops-dbops-control-plane -- cat"
            + " /var/lib/dbops/server/admin.token")
        .contains("HTTPS with the certificate of Secret dbops-tls")
        .contains("kubectl -n dbops-system rollout status deployment/dbops-dbops-control-plane")
        .contains("curl -sk -H \"Authorization: Bearer $DBOPS_API_TOKEN\" https://localhost:8080/api/v1/delegates")
        .contains("logs -f -l app.kubernetes.io/instance=dbops,app.kubernetes.io/component=control-plane")
        .doesNotContain("WARNING");
    assertThat(Charts.notes(CONTROL_PLANE, TLS))
        .contains("WARNING: database.url is not set")
        .contains("WARNING: no master key")
        .contains("generates a key in its emptyDir data directory");
    assertThat(Charts.notes(CONTROL_PLANE, Map.of("database.url", "jdbc:postgresql://db:5432/dbops",
        "database.existingSecret", "dbops-db", "tls.terminatedUpstream", true)))
        .contains("TLS terminates in front of the pod (tls.terminatedUpstream)")
        .contains("WARNING: no master key")
        .contains("The secret store is disabled");
  }

  private static String secretRef(Map<String, JsonNode> env, String name) {
    JsonNode ref = env.get(name).path("valueFrom").path("secretKeyRef");
    return ref.path("name").asText() + "/" + ref.path("key").asText();
  }
}
