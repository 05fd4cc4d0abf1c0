package io.dbops.agent.runtime.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes API calls the delegate really makes, recorded by the mock API and turned into RBAC
 * verbs, against the permissions docs/operations.md documents (and the chart grants; deploy-tests
 * checks the chart against the same blocks). Every feature runs: sweep, init with secret environment
 * and registry credentials, lease renewal, a kubernetes: secret source, cleanup.
 */
class KubernetesRbacIT {
  private static final String AGENT = "dbops-delegate-under-test";
  private static final String OWN_NAMESPACE = "dbops";
  private static final Pattern PATH = Pattern.compile(
      "/api/v1/namespaces/([^/]+)/([a-z]+)(/[^/?]+)?(/[a-z]+)?(\\?.*)?");

  private MockKubernetes kubernetes;
  private KubernetesClient delegateClient;

  @BeforeEach
  void start() {
    kubernetes = new MockKubernetes();
    delegateClient = kubernetes.newClient(AGENT);
  }

  @AfterEach
  void stop() {
    delegateClient.close();
    kubernetes.close();
  }

  @Test
  void theDelegateUsesExactlyTheDocumentedPermissions() throws Exception {
    kubernetes.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(OWN_NAMESPACE)
        .endMetadata().build()).create();
    kubernetes.client().secrets().inNamespace(OWN_NAMESPACE).resource(new SecretBuilder().withNewMetadata()
        .withName("db").endMetadata().addToData("password", "cHc=").build()).create();
    KubernetesPodRuntime runtime = new KubernetesPodRuntime(delegateClient, KubernetesPodRuntimeIT.settings("dc1", "i-1")
        .withLease(Duration.ofMinutes(5), Duration.ofMillis(100), Duration.ofHours(1)), Clock.systemUTC());
    runtime.start();
    assertThat(new KubernetesSecrets(delegateClient, OWN_NAMESPACE).read("db", "password")).contains("pw");
    CompletableFuture<Void> started = CompletableFuture.runAsync(() -> {
      try {
        runtime.start(KubernetesPodRuntimeIT.fullPayload("p1"), KubernetesPodRuntimeIT.fullSecrets());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    await().atMost(Duration.ofSeconds(10)).until(() -> kubernetes.pod("p1") != null);
    kubernetes.setStatus("p1", s -> PodStatuses.allReady(kubernetes.pod("p1"), "10.0.0.1"));
    started.get(20, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(() -> renewed(kubernetes.requests()));
    runtime.sweep();
    runtime.stop("p1");
    runtime.close();

    Map<String, Map<String, Set<String>>> used = verbsByNamespace(kubernetes.requests());

    assertThat(used.get(MockKubernetes.NAMESPACE)).isEqualTo(documented("the documented minimum"));
    assertThat(used.get(OWN_NAMESPACE)).isEqualTo(documented("secret sources"));
    assertThat(used.keySet()).containsExactlyInAnyOrder(MockKubernetes.NAMESPACE, OWN_NAMESPACE);
  }

  /** The lease keeper patched the pod (the recorded body is not kept, the path says enough). */
  private static boolean renewed(List<RecordedRequest> requests) {
    return requests.stream().anyMatch(r -> AGENT.equals(r.getHeader("User-Agent")) && "PATCH".equals(r.getMethod())
        && r.getPath().endsWith("/pods/p1"));
  }

  /** namespace → resource → verbs, from the delegate's requests only. */
  private static Map<String, Map<String, Set<String>>> verbsByNamespace(List<RecordedRequest> requests) {
    Map<String, Map<String, Set<String>>> used = new TreeMap<>();
    for (RecordedRequest r : requests) {
      if (!AGENT.equals(r.getHeader("User-Agent"))) {
        continue;
      }
      Matcher m = PATH.matcher(r.getPath());
      assertThat(m.matches()).as("a namespaced core API call: " + r.getMethod() + " " + r.getPath()).isTrue();
      String resource = m.group(2) + (m.group(4) == null ? "" : m.group(4));
      boolean named = m.group(3) != null;
      String query = m.group(5) == null ? "" : m.group(5);
      String verb = switch (r.getMethod()) {
        case "GET" -> query.contains("watch=true") ? "watch" : named ? "get" : "list";
        case "POST" -> "create";
        case "PUT" -> "update";
        case "PATCH" -> "patch";
        case "DELETE" -> named ? "delete" : "deletecollection";
        default -> r.getMethod();
      };
      used.computeIfAbsent(m.group(1), n -> new TreeMap<>()).computeIfAbsent(resource, x -> new TreeSet<>()).add(verb);
    }
    return used;
  }

  /** resource → verbs of the YAML block after {@code <!-- <marker>: ...} in docs/operations.md. */
  @SuppressWarnings("unchecked")
  private static Map<String, Set<String>> documented(String marker) throws Exception {
    Path root = Path.of("").toAbsolutePath();
    while (!Files.exists(root.resolve("docs/operations.md"))) {
      root = root.getParent();
    }
    String doc = Files.readString(root.resolve("docs/operations.md"));
    Matcher block = Pattern.compile("<!-- " + Pattern.quote(marker) + ":[^>]*-->\\s*```yaml\\n(.*?)```",
        Pattern.DOTALL).matcher(doc);
    assertThat(block.find()).as("docs/operations.md has the '" + marker + "' block").isTrue();
    Map<String, Object> yaml = new ObjectMapper(new YAMLFactory()).readValue(block.group(1), Map.class);
    Map<String, Set<String>> rules = new TreeMap<>();
    for (Map<String, List<String>> rule : (List<Map<String, List<String>>>) yaml.get("rules")) {
      for (String resource : rule.get("resources")) {
        rules.computeIfAbsent(resource, r -> new TreeSet<>()).addAll(rule.get("verbs"));
      }
    }
    return rules;
  }
}
