package io.dbops.agent.runtime.kubernetes;

import io.dbops.agent.runtime.PodException;
import io.dbops.support.RootCause;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Waits, with a deadline, until a build pod is ready or cannot become ready: an informer on the one
 * pod (list, then watch; it relists on its own when the watch expires), each event classified by
 * {@link PodFailures}. No polling. Stateless between calls and thread-safe; the client is the
 * caller's.
 */
final class PodWatcher {
  private final KubernetesClient client;
  private final String namespace;

  PodWatcher(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  /**
   * The ready pod.
   *
   * @throws PodException when a failure class applies, the pod is deleted, or {@code timeout} passes
   *     (the message lists the containers not ready)
   */
  Pod awaitReady(String podName, Duration timeout) throws PodException, InterruptedException {
    long started = System.nanoTime();
    CompletableFuture<Pod> outcome = new CompletableFuture<>();
    AtomicReference<Pod> last = new AtomicReference<>();
    SharedIndexInformer<Pod> informer = client.pods().inNamespace(namespace).withName(podName).runnableInformer(0);
    informer.addEventHandler(new ResourceEventHandler<Pod>() {
      @Override
      public void onAdd(Pod pod) {
        judge(pod);
      }

      @Override
      public void onUpdate(Pod before, Pod pod) {
        judge(pod);
      }

      @Override
      public void onDelete(Pod pod, boolean finalStateUnknown) {
        outcome.completeExceptionally(deleted(podName));
      }

      private void judge(Pod pod) {
        PodWatcher.judge(pod, outcome, last);
      }
    });
    try {
      informer.stopped().whenComplete((ignored, error) -> {
        if (error != null) {
          outcome.completeExceptionally(new PodException("Lost the watch on pod " + podName + " in namespace "
              + namespace + ": " + RootCause.message(error)));
        }
      });
      try {
        informer.start().toCompletableFuture().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      } catch (ExecutionException e) {
        throw new PodException("Cannot watch pod " + podName + " in namespace " + namespace + ": "
            + RootCause.message(e) + ". The delegate needs list and watch on pods there.");
      }
      // A change between the informer's list and the start of its watch may not reach the watch
      // (a real API server replays it from the list's resourceVersion; not every server does):
      // once watching, one more list settles the pod's state.
      List<Pod> now = client.pods().inNamespace(namespace).withField("metadata.name", podName).list().getItems();
      if (now.isEmpty()) {
        outcome.completeExceptionally(deleted(podName));
      } else {
        judge(now.get(0), outcome, last);
      }
      long left = timeout.toNanos() - (System.nanoTime() - started);
      return outcome.get(Math.max(0, left), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      Pod seen = last.get();
      throw new PodException("Pod " + podName + " in namespace " + namespace + " was not ready within "
          + Duration.ofNanos(System.nanoTime() - started).toSeconds() + " s ("
          + (seen == null ? "never seen" : PodFailures.notReady(seen)) + "). See kubectl describe pod " + podName
          + " -n " + namespace + ".");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof PodException pod) {
        throw new PodException(pod.getMessage());
      }
      throw new PodException("Cannot watch pod " + podName + ": " + RootCause.message(e.getCause()));
    } catch (KubernetesClientException e) {
      throw new PodException("Cannot watch pod " + podName + " in namespace " + namespace + ": "
          + RootCause.message(e));
    } finally {
      informer.close();
    }
  }

  /** Completes {@code outcome} when the pod is ready or cannot become ready. */
  private static void judge(Pod pod, CompletableFuture<Pod> outcome, AtomicReference<Pod> last) {
    last.set(pod);
    var failure = PodFailures.failure(pod);
    if (failure.isPresent()) {
      outcome.completeExceptionally(new PodException(failure.get()));
    } else if (PodFailures.isReady(pod)) {
      outcome.complete(pod);
    }
  }

  private PodException deleted(String podName) {
    return new PodException("Pod " + podName + " in namespace " + namespace + " was deleted while it was starting"
        + " (by another client, an operator, or with its namespace); no step ran.");
  }

}
