package io.dbops.agent.runtime.kubernetes;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * The Fabric8 mock Kubernetes API in CRUD mode (objects are stored, lists and watches work), with
 * one namespace, and a client for the test's own calls. Close after each test.
 */
final class MockKubernetes implements AutoCloseable {
  static final String NAMESPACE = "builds";

  private final MockWebServer http = new MockWebServer();
  private final List<RecordedRequest> seen = new ArrayList<>(); // guarded by this
  private final KubernetesMockServer server;
  private final KubernetesClient client;

  MockKubernetes() {
    server = new KubernetesMockServer(new Context(), http, new HashMap<>(), new KubernetesCrudDispatcher(), false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    client = server.createClient();
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
        .create();
  }

  /** A new client of the server; the caller closes it. */
  KubernetesClient newClient() {
    return server.createClient();
  }

  /** A new client of the server sending {@code userAgent}, to tell its requests apart; the caller closes it. */
  KubernetesClient newClient(String userAgent) {
    return server.createClient(b -> b.editOrNewConfig().withUserAgent(userAgent).endConfig());
  }

  /** Every request the server received so far, oldest first. */
  synchronized List<RecordedRequest> requests() throws InterruptedException {
    for (RecordedRequest r = http.takeRequest(0, TimeUnit.SECONDS); r != null; r = http.takeRequest(0, TimeUnit.SECONDS)) {
      seen.add(r);
    }
    return List.copyOf(seen);
  }

  /** The test's client (closed with this). */
  KubernetesClient client() {
    return client;
  }

  Pod pod(String name) {
    return client.pods().inNamespace(NAMESPACE).withName(name).get();
  }

  /** Replaces the pod's status, as the kubelet or the scheduler would. */
  void setStatus(String podName, UnaryOperator<PodStatus> status) {
    for (int attempt = 1; ; attempt++) {
      try {
        client.pods().inNamespace(NAMESPACE).withName(podName).editStatus(p -> {
          p.setStatus(status.apply(p.getStatus() == null ? new PodStatus() : p.getStatus()));
          return p;
        });
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 10) {
          throw e;
        }
        // the delegate renewed the lease in between: read again, as a kubelet would
      }
    }
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
