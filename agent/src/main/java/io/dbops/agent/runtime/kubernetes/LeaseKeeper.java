package io.dbops.agent.runtime.kubernetes;

import io.dbops.support.ExecutorShutdown;
import io.dbops.support.NamedThreadFactory;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the lease of every pod this process owns: every {@code renewEvery}, each pod's
 * {@link PodLabels#LEASE_EXPIRES} annotation is moved to now + {@code lease} (one JSON merge
 * patch per pod). A pod whose delegate died stops being renewed, and {@link PodSweeper} deletes it
 * once the lease lapses.
 *
 * <p>Thread-safe. {@link #start} spawns one thread ({@code k8s-lease-N}); {@link #close} stops it
 * (idempotent). The client is the caller's.
 */
final class LeaseKeeper implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LeaseKeeper.class);

  private final KubernetesClient client;
  private final String namespace;
  private final Clock clock;
  private final Duration lease;
  private final Duration renewEvery;
  private final Set<String> pods = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile ScheduledExecutorService executor;

  LeaseKeeper(KubernetesClient client, String namespace, Clock clock, Duration lease, Duration renewEvery) {
    this.client = client;
    this.namespace = namespace;
    this.clock = clock;
    this.lease = lease;
    this.renewEvery = renewEvery;
  }

  void start() {
    executor = Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory("k8s-lease", true));
    executor.scheduleWithFixedDelay(this::renewAll, renewEvery.toMillis(), renewEvery.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** The annotation value of a lease taken now. */
  String expiry() {
    return clock.instant().plus(lease).toString();
  }

  void add(String podName) {
    pods.add(podName);
  }

  void remove(String podName) {
    pods.remove(podName);
  }

  /** The pods whose lease this process renews. */
  Set<String> owned() {
    return Set.copyOf(pods);
  }

  /** Renews every owned pod's lease now; a pod that is gone is dropped. Never throws. */
  void renewAll() {
    for (String pod : owned()) {
      try {
        renew(pod);
      } catch (KubernetesClientException e) {
        if (e.getCode() == 404) {
          pods.remove(pod);
          log.warn("Pod {} is gone; no longer renewing its lease", pod);
        } else {
          log.error("Cannot renew the lease of pod {} in namespace {} (HTTP {}): {}. It is deleted as a leftover"
              + " if this lasts {} s", pod, namespace, e.getCode(), e.getMessage(), lease.toSeconds());
        }
      } catch (RuntimeException e) {
        log.error("Cannot renew the lease of pod {} in namespace {}", pod, namespace, e);
      }
    }
  }

  private void renew(String pod) {
    String patch = "{\"metadata\":{\"annotations\":{\"" + PodLabels.LEASE_EXPIRES + "\":\"" + expiry() + "\"}}}";
    // through resource(...): withName(...).patch would GET the pod first, needing one more verb
    client.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withName(pod)
        .withNamespace(namespace).endMetadata().build()).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    ExecutorShutdown.now(executor);
  }
}
