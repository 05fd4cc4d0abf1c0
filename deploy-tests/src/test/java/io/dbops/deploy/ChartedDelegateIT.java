package io.dbops.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The delegate chart's pod, run as a local process of the distribution with exactly the rendered
 * command and environment, against a local control plane and a Fabric8 mock Kubernetes API (CRUD
 * mode). Overridden: nothing but paths into the pod's volumes (state directory, CA bundle, client
 * certificate; see {@link LocalPod}) and where the Kubernetes API is ({@code KUBERNETES_MASTER} instead
 * of the in-cluster service and service account). The control plane URL, token and metrics port are
 * rendered in through values, the token resolved from the chart's own Secret, the namespace from the
 * downward API field.
 */
class ChartedDelegateIT {
  private static final String POD_NAMESPACE = "dbops-it";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path work;

  private Path home;
  private LocalProcess controlPlane;
  private KubernetesMockServer kubernetes;
  private String serverUrl;
  private String token;

  @BeforeEach
  void startControlPlaneAndKubernetes() throws Exception {
    home = LocalProcess.distribution();
    int port = Http.freePort();
    serverUrl = "http://127.0.0.1:" + port;
    controlPlane = LocalProcess.start("control plane", List.of(home.resolve("bin/dbops").toString(), "server",
        "--port", Integer.toString(port), "--data-dir", work.resolve("server").toString()),
        Map.of("DBOPS_HEARTBEAT_SECONDS", "1", "DBOPS_LOG_FORMAT", "text"), work);
    controlPlane.awaitUntil("control plane ready", Duration.ofSeconds(90),
        () -> Http.get(serverUrl + "/readyz").status() == 200);
    LocalProcess created = LocalProcess.run("token create", List.of(home.resolve("bin/dbops").toString(),
        "token", "create", "charted", "--server", serverUrl), Http.cliEnv(work.resolve("server")), work,
        Duration.ofSeconds(60));
    assertThat(created.exitCode()).as(created.describe()).isZero();
    token = created.lines().get(created.lines().size() - 1).trim();

    kubernetes = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(), false);
    kubernetes.init(InetAddress.getLoopbackAddress(), 0);
    try (var client = kubernetes.createClient()) {
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(POD_NAMESPACE).endMetadata()
          .build()).create();
    }
  }

  @AfterEach
  void stop() throws Exception {
    if (kubernetes != null) {
      kubernetes.destroy();
    }
    if (controlPlane != null) {
      controlPlane.close();
    }
  }

  @Test
  void connectsWithExactlyTheRenderedEnvironment() throws Exception {
    runChartedDelegate(Map.of());
  }

  /**
   * The same with {@code DBOPS_RUNTIME=local}, the one difference: every other rendered setting
   * (URL, token from the Secret, name, tags, capacity, transport, drain, CA bundle, client
   * certificate, proxy, metrics, logging, JVM options) is checked against the binary today.
   */
  @Test
  void connectsWithTheRenderedEnvironmentOnTheLocalRuntime() throws Exception {
    runChartedDelegate(Map.of("DBOPS_RUNTIME", "local"));
  }

  private void runChartedDelegate(Map<String, String> overrides) throws Exception {
    int metricsPort = Http.freePort();
    Manifests rendered = Charts.render(Charts.DELEGATE,
        Map.of("controlPlane.url", serverUrl, "token.value", token, "metrics.port", metricsPort),
        "delegate-it-values.yaml");
    HeldCertificate ca = new HeldCertificate.Builder().commonName("dbops IT CA").certificateAuthority(0).build();
    HeldCertificate client = new HeldCertificate.Builder().commonName("charted").signedBy(ca).build();
    var cluster = new LocalPod.Cluster(
        Map.of("it-client", Map.of("tls.crt", client.certificatePem(), "tls.key", client.privateKeyPkcs8Pem())),
        Map.of("it-ca", Map.of("ca.crt", ca.certificatePem())),
        Map.of("metadata.namespace", POD_NAMESPACE));
    LocalPod pod = LocalPod.of(rendered, "delegate", cluster, work.resolve("pod"));

    Map<String, String> env = pod.env();
    assertThat(env).containsEntry("DBOPS_SERVER_URL", serverUrl).containsEntry("DBOPS_TOKEN", token)
        .containsEntry("DBOPS_RUNTIME", "kubernetes").containsEntry("DBOPS_KUBERNETES_NAMESPACE", POD_NAMESPACE)
        .containsEntry("DBOPS_TOKEN_SECRET_NAME", "dbops-dbops-delegate-token");
    assertThat(pod.rewritten()).containsOnlyKeys("DBOPS_STATE_DIR", "DBOPS_CA_BUNDLE", "DBOPS_CLIENT_CERT",
        "DBOPS_CLIENT_KEY");
    env.putAll(overrides);
    // Where the Kubernetes API is: in a pod, the service account and KUBERNETES_SERVICE_HOST say it.
    env.put("KUBERNETES_MASTER", kubernetes.url("/"));
    env.put("KUBERNETES_NAMESPACE", POD_NAMESPACE);
    env.put("KUBERNETES_AUTH_TRYKUBECONFIG", "false");
    env.put("KUBERNETES_AUTH_TRYSERVICEACCOUNT", "false");

    int grace = rendered.podSpec().path("terminationGracePeriodSeconds").asInt();
    String endpoints = "http://127.0.0.1:" + metricsPort;
    try (LocalProcess delegate = LocalProcess.start("delegate", pod.command(home), env, work)) {
      JsonNode listed = delegate.awaitUntil("GET /api/v1/delegates lists the delegate", Duration.ofSeconds(60),
          () -> delegateNamed("charted"), d -> d != null);
      assertThat(listed.path("tags").toString()).isEqualTo("[\"it\",\"helm\"]");
      assertThat(listed.path("capacity").asInt()).isEqualTo(3);

      delegate.awaitUntil("/readyz answers 200", Duration.ofSeconds(30),
          () -> Http.get(endpoints + "/readyz").status() == 200);
      assertThat(Http.get(endpoints + "/healthz").status()).isEqualTo(200);
      assertThat(Http.get(endpoints + "/metrics").body()).containsPattern("(?m)^dbops_delegate_connected(\\{[^}]*})? 1");
      // DBOPS_LOG_FORMAT=json
      assertThat(delegate.lines()).anySatisfy(line -> assertThat(line).startsWith("{").contains("\"Connected to "));
      // the token reached the process from the chart's Secret, never its output
      assertThat(delegate.text()).doesNotContain(token);

      // SIGTERM drains it and it exits 0 within the pod's grace period
      assertThat(delegate.terminate(Duration.ofSeconds(grace))).as(delegate.describe()).isZero();
      await().atMost(Duration.ofSeconds(10)).until(() -> delegateNamed("charted") == null);
    }
  }

  private JsonNode delegateNamed(String name) throws Exception {
    Http.Response response = Http.get(serverUrl + "/api/v1/delegates", Http.adminToken(work.resolve("server")));
    if (response.status() != 200) {
      return null;
    }
    for (JsonNode d : JSON.readTree(response.body())) {
      if (name.equals(d.path("name").asText())) {
        return d;
      }
    }
    return null;
  }
}
