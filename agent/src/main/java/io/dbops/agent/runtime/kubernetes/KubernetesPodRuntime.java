package io.dbops.agent.runtime.kubernetes;

import io.dbops.agent.runtime.PodException;
import io.dbops.agent.runtime.PodRuntime;
import io.dbops.agent.runtime.StepContainerLayout;
import io.dbops.agent.secrets.PodSecrets;
import io.dbops.protocol.InitStageOutput;
import io.dbops.protocol.InitStagePayload;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.dbops.support.Json;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs build pods on Kubernetes through Fabric8. For an init task: creates the pod's Secrets
 * ({@link BuildPodSecrets}), then the pod ({@link BuildPodSpec}), then makes the pod the Secrets'
 * owner (so Kubernetes deletes them with it), and waits for readiness ({@link PodWatcher}). While
 * the pod lives its lease is renewed ({@link LeaseKeeper}); pods and Secrets of this delegate
 * whose lease lapsed are swept at start and periodically ({@link PodSweeper}).
 *
 * <p>Secret values exist only in the Secrets' data: never in the pod spec, a log line or an
 * exception message.
 *
 * <p>Thread-safe. {@link #start()} starts the lease and sweeper threads; {@link #close} deletes
 * every pod this process started and stops them (idempotent). The {@link KubernetesClient} is the
 * caller's to close.
 */
public final class KubernetesPodRuntime implements PodRuntime {
  private static final Logger log = LoggerFactory.getLogger(KubernetesPodRuntime.class);
  /** DNS-1123 subdomain, short enough for the longest Secret name suffix ({@code -registry-NN}). */
  private static final Pattern POD_NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,228}[a-z0-9])?");

  private final KubernetesClient client;
  private final KubernetesRuntimeSettings settings;
  private final String delegateLabel;
  private final LeaseKeeper leases;
  private final PodSweeper sweeper;
  private final PodWatcher watcher;
  private final Map<String, InitStageOutput> outputs = new ConcurrentHashMap<>();
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();

  public KubernetesPodRuntime(KubernetesClient client, KubernetesRuntimeSettings settings, Clock clock) {
    this.client = client;
    this.settings = settings;
    this.delegateLabel = PodLabels.labelValue(settings.delegateName());
    this.leases = new LeaseKeeper(client, settings.namespace(), clock, settings.lease(), settings.renewEvery());
    this.sweeper = new PodSweeper(client, settings.namespace(), delegateLabel, clock, leases::owned,
        settings.sweepEvery());
    this.watcher = new PodWatcher(client, settings.namespace());
  }

  /**
   * Starts renewing leases, deletes at once (before returning) the pods and Secrets of this delegate
   * whose lease lapsed (what killed instances left), then keeps sweeping in the background every
   * {@link KubernetesRuntimeSettings#sweepEvery}. A failed first sweep is logged, not thrown: the
   * background sweeps retry it.
   */
  public void start() {
    if (started.compareAndSet(false, true)) {
      leases.start();
      sweeper.start();
    }
  }

  /** Stops (deletes) every pod this instance runs now; it keeps starting pods afterwards. */
  @Override
  public int stopAll() {
    Set<String> owned = leases.owned();
    for (String pod : owned) {
      try {
        stop(pod);
      } catch (IllegalStateException e) {
        log.warn("{}", e.getMessage());
      }
    }
    return owned.size();
  }

  /** Deletes lapsed pods and Secrets of this delegate now; returns how many. */
  public int sweep() {
    return sweeper.sweep();
  }

  @Override
  public InitStageOutput start(InitStagePayload payload, PodSecrets secrets) throws PodException, InterruptedException {
    if (closed.get()) {
      throw new PodException("The delegate is shutting down; pod " + payload.podName() + " was not started");
    }
    String podName = payload.podName();
    if (podName == null || !POD_NAME.matcher(podName).matches()) {
      throw new PodException("Invalid pod name '" + podName + "': Kubernetes needs lower-case letters, digits, '-'"
          + " and '.', starting and ending with a letter or digit, at most 230 characters");
    }
    InitStageOutput existing = outputs.get(podName);
    if (existing != null) {
      return existing; // init of the same stage retried on this instance: the pod is already up
    }
    String image = payload.image() != null && !payload.image().isBlank() ? payload.image() : settings.defaultImage();
    if (image == null) {
      throw new PodException("Pod " + podName + " has no image: the task names none and the delegate has no"
          + " DBOPS_POD_IMAGE");
    }
    String serviceAccount = payload.pod().serviceAccount() != null ? payload.pod().serviceAccount()
        : settings.defaultServiceAccount();
    String namespace = settings.namespace();
    Map<String, String> labels = labels(payload);
    try {
      List<Secret> podSecrets = BuildPodSecrets.of(payload, secrets, namespace, labels,
          Map.of(PodLabels.LEASE_EXPIRES, leases.expiry(), PodLabels.POD, podName));
      for (Secret secret : podSecrets) {
        client.secrets().inNamespace(namespace).resource(secret).create();
      }
      Pod pod = client.pods().inNamespace(namespace).resource(BuildPodSpec.of(payload, namespace, image,
          serviceAccount, settings.basePort(), labels, Map.of(PodLabels.LEASE_EXPIRES, leases.expiry()),
          settings.stepSettings(), secrets.logServiceUrl())).create();
      // Renewed only once the pod exists: a renewal before (the patch answers 404) would drop the pod
      // from the lease keeper for good, and the sweeper would delete a live pod when its lease lapsed.
      leases.add(podName);
      own(pod, podSecrets);
      log.info("Created pod {} in namespace {} with {} Secret(s); waiting up to {} s for it to be ready", podName,
          namespace, podSecrets.size(), settings.readyTimeout().toSeconds());
      Pod ready = watcher.awaitReady(podName, settings.readyTimeout());
      StepContainerLayout layout = StepContainerLayout.of(payload, image);
      List<Integer> containerPorts = new ArrayList<>();
      for (int i = 1; i <= layout.containers(); i++) {
        containerPorts.add(settings.basePort() + i);
      }
      InitStageOutput output = new InitStageOutput(podName,
          ready.getStatus().getPodIP() + ":" + settings.basePort(), layout.stepPorts(containerPorts));
      outputs.put(podName, output);
      log.info("Pod {} is ready at {}", podName, output.liteEngineAddress());
      return output;
    } catch (KubernetesClientException e) {
      deleteQuietly(podName);
      throw new PodException("Kubernetes refused pod " + podName + " or its Secrets in namespace " + namespace
          + " (" + status(e) + "): " + apiMessage(e) + hint(e.getCode()));
    } catch (PodException e) {
      deleteQuietly(podName);
      // A terminated container's message is the tail of its log: masked by the container itself,
      // and here once more with the pod's own values.
      throw new PodException(secrets.masker().apply(e.getMessage()));
    } catch (InterruptedException | RuntimeException e) {
      deleteQuietly(podName);
      throw e;
    }
  }

  /**
   * Deletes the pod and its Secrets; idempotent.
   *
   * @throws IllegalStateException with an operator-facing message when the API refuses (the lease
   *     is no longer renewed, so the sweeper removes them later)
   */
  @Override
  public void stop(String podName) {
    outputs.remove(podName);
    leases.remove(podName);
    try {
      delete(podName);
    } catch (KubernetesClientException e) {
      throw new IllegalStateException("Cannot delete pod " + podName + " or its Secrets in namespace "
          + settings.namespace() + " (" + status(e) + "): " + apiMessage(e) + hint(e.getCode())
          + ". The sweeper deletes them once their lease lapses.", e);
    }
    log.info("Deleted pod {} and its Secrets in namespace {}", podName, settings.namespace());
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    sweeper.close();
    leases.close();
    for (String pod : leases.owned()) {
      deleteQuietly(pod);
    }
  }

  private Map<String, String> labels(InitStagePayload payload) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(PodLabels.MANAGED_BY, PodLabels.MANAGED_BY_VALUE);
    labels.put(PodLabels.DELEGATE, delegateLabel);
    labels.put(PodLabels.DELEGATE_INSTANCE, PodLabels.labelValue(settings.instanceId()));
    labels.put(PodLabels.EXECUTION, PodLabels.labelValue(payload.executionId()));
    return labels;
  }

  /** Makes the pod the owner of its Secrets: one merge patch each (the pod's uid exists only now). */
  private void own(Pod pod, List<Secret> secrets) {
    OwnerReference owner = new OwnerReferenceBuilder().withApiVersion("v1").withKind("Pod")
        .withName(pod.getMetadata().getName()).withUid(pod.getMetadata().getUid()).build();
    String patch = Json.write(Map.of("metadata", Map.of("ownerReferences", List.of(owner))));
    for (Secret secret : secrets) {
      // through resource(...): withName(...).patch would GET the Secret first, needing one more verb
      client.secrets().inNamespace(settings.namespace()).resource(secret)
          .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
    }
  }

  private void deleteQuietly(String podName) {
    leases.remove(podName);
    outputs.remove(podName);
    try {
      delete(podName);
    } catch (RuntimeException e) {
      log.warn("Cannot delete pod {} or its Secrets in namespace {}: {}; the sweeper removes them once their lease"
          + " lapses", podName, settings.namespace(), e.getMessage());
    }
  }

  /** Deletes the pod and every Secret of this delegate annotated with it; idempotent. */
  private void delete(String podName) {
    String namespace = settings.namespace();
    client.pods().inNamespace(namespace).withName(podName).delete();
    for (Secret secret : client.secrets().inNamespace(namespace).withLabel(PodLabels.DELEGATE, delegateLabel).list()
        .getItems()) {
      Map<String, String> annotations = secret.getMetadata().getAnnotations();
      if (annotations != null && podName.equals(annotations.get(PodLabels.POD))) {
        client.secrets().inNamespace(namespace).withName(secret.getMetadata().getName()).delete();
      }
    }
  }

  private String status(KubernetesClientException e) {
    return e.getCode() > 0 ? "HTTP " + e.getCode() : "no answer from the Kubernetes API at " + client.getMasterUrl();
  }

  private static String apiMessage(KubernetesClientException e) {
    return e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
  }

  private static String hint(int code) {
    return switch (code) {
      case 403 -> ". The delegate's service account lacks a permission; see docs/kubernetes.md (RBAC)";
      case 404 -> ". Does the namespace exist (DBOPS_KUBERNETES_NAMESPACE)?";
      case 409 -> ". A pod or Secret of that name already exists (a previous attempt still terminating?)";
      default -> "";
    };
  }
}
