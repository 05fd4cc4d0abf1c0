package io.dbops.agent.runtime.kubernetes;

import io.dbops.support.ExecutorShutdown;
import io.dbops.support.NamedThreadFactory;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes what a killed delegate left behind: pods and Secrets labelled with this delegate's name
 * ({@link PodLabels#DELEGATE}) whose lease ({@link PodLabels#LEASE_EXPIRES}) has lapsed. Live
 * replicas of the same delegate renew their pods' leases, so their pods are kept. A Secret is
 * deleted once its own lease lapsed and its pod ({@link PodLabels#POD}) is gone or being swept (it
 * is normally removed with its pod through its ownerReference; this covers a delegate killed
 * between creating the Secret and the pod).
 *
 * <p>Runs on {@link #start} (synchronously) and then every {@code every}, on one thread ({@code k8s-sweeper-N});
 * thread-safe; {@link #close} is idempotent. The client is the caller's.
 */
final class PodSweeper implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PodSweeper.class);

  private final KubernetesClient client;
  private final String namespace;
  private final String delegateLabel;
  private final Clock clock;
  private final Supplier<Set<String>> ownedPods;
  private final Duration every;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile ScheduledExecutorService executor;

  /** @param ownedPods pods this process renews: never swept, whatever their annotation says */
  PodSweeper(KubernetesClient client, String namespace, String delegateLabel, Clock clock,
      Supplier<Set<String>> ownedPods, Duration every) {
    this.client = client;
    this.namespace = namespace;
    this.delegateLabel = delegateLabel;
    this.clock = clock;
    this.ownedPods = ownedPods;
    this.every = every;
  }

  /** Sweeps once now, on the caller's thread (a killed instance's pods go before this one connects), then every {@code every}. */
  void start() {
    int deleted = sweepQuietly();
    if (deleted > 0) {
      log.warn("Deleted {} pod(s) and Secret(s) of delegate {} in namespace {} left by earlier instances (lease"
          + " lapsed) at start", deleted, delegateLabel, namespace);
    }
    executor = Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory("k8s-sweeper", true));
    executor.scheduleWithFixedDelay(this::sweepQuietly, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** One sweep; returns how many pods and Secrets it deleted. */
  int sweep() {
    Instant now = clock.instant();
    Set<String> owned = ownedPods.get();
    Set<String> livePods = new HashSet<>();
    int deleted = 0;
    for (Pod pod : client.pods().inNamespace(namespace).withLabel(PodLabels.DELEGATE, delegateLabel).list()
        .getItems()) {
      String name = pod.getMetadata().getName();
      if (owned.contains(name) || !lapsed(pod, now)) {
        livePods.add(name);
        continue;
      }
      log.info("Deleting pod {} in namespace {}: its lease lapsed at {} (delegate instance {} stopped renewing it)",
          name, namespace, annotation(pod, PodLabels.LEASE_EXPIRES), label(pod, PodLabels.DELEGATE_INSTANCE));
      client.pods().inNamespace(namespace).withName(name).delete();
      deleted++;
    }
    for (Secret secret : client.secrets().inNamespace(namespace).withLabel(PodLabels.DELEGATE, delegateLabel).list()
        .getItems()) {
      String pod = annotation(secret, PodLabels.POD);
      if ((pod != null && (livePods.contains(pod) || owned.contains(pod))) || !lapsed(secret, now)) {
        continue;
      }
      log.info("Deleting Secret {} in namespace {}: its lease lapsed and its pod {} is gone",
          secret.getMetadata().getName(), namespace, pod);
      client.secrets().inNamespace(namespace).withName(secret.getMetadata().getName()).delete();
      deleted++;
    }
    return deleted;
  }

  private int sweepQuietly() {
    try {
      int deleted = sweep();
      if (deleted > 0) {
        log.info("Swept {} leftover pod(s) and Secret(s) of delegate {} in namespace {}", deleted, delegateLabel,
            namespace);
      }
      return deleted;
    } catch (RuntimeException e) {
      log.error("Cannot sweep leftover build pods of delegate {} in namespace {}: {}", delegateLabel, namespace,
          e.getMessage(), e);
      return 0;
    }
  }

  /** Lapsed when the annotation is in the past, missing or unreadable. */
  private static boolean lapsed(HasMetadata object, Instant now) {
    String expires = annotation(object, PodLabels.LEASE_EXPIRES);
    if (expires == null) {
      return true;
    }
    try {
      return Instant.parse(expires).isBefore(now);
    } catch (DateTimeParseException e) {
      return true;
    }
  }

  private static String annotation(HasMetadata object, String key) {
    Map<String, String> annotations = object.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(key);
  }

  private static String label(HasMetadata object, String key) {
    Map<String, String> labels = object.getMetadata().getLabels();
    return labels == null ? null : labels.get(key);
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    ExecutorShutdown.now(executor);
  }
}
