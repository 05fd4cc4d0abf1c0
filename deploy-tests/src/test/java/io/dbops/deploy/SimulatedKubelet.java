package io.dbops.deploy;

import io.dbops.testsupport.Ports;
import io.dbops.testsupport.kubernetes.ContainerEnvironment;
import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A kubelet (and scheduler) for tests against a real API server, with the admin's client: it
 * watches the pods of one namespace; binds each new pod to node {@value #NODE} through the
 * {@code binding} subresource (no scheduler runs); starts each container as a local process of the
 * distribution ({@code bin/dbops <the container's first arg>}) with exactly the environment of the
 * spec, {@code secretKeyRef}s read from the Secrets as a kubelet does; probes each container's
 * {@code tcpSocket} readiness port; and writes real pod status (Running, pod IP 127.0.0.1, each
 * container ready once its port answers). A pod being deleted (deletion timestamp set: it is bound)
 * has its processes stopped, and the deletion is finished with grace period 0, as a kubelet does.
 *
 * <p>Containers share the host's network and file system: each volume is a directory {@code
 * <root>/<pod>/<volume>}, and an env value naming a mount path is rewritten to it ({@link
 * ContainerEnvironment}, shared with the agent's kubelet for the mock API). {@link #hold()}
 * keeps new pods from becoming ready until {@link #release()} (to make a readiness wait last).
 */
final class SimulatedKubelet implements AutoCloseable {
  static final String NODE = "simulated-node-1";

  private final KubernetesClient admin;
  private final String namespace;
  private final Path root;
  private final ExecutorService workers = Executors.newCachedThreadPool();
  private final Map<String, List<LocalProcess>> processes = new ConcurrentHashMap<>();
  private final Map<String, Map<String, String>> environments = new ConcurrentHashMap<>();
  private volatile boolean held;
  private SharedIndexInformer<Pod> informer;

  SimulatedKubelet(KubernetesClient admin, String namespace, Path root) {
    this.admin = admin;
    this.namespace = namespace;
    this.root = root;
  }

  void start() {
    informer = admin.pods().inNamespace(namespace).inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {
        workers.submit(() -> run(pod));
      }

      @Override
      public void onUpdate(Pod before, Pod pod) {
        if (pod.getMetadata().getDeletionTimestamp() != null) {
          workers.submit(() -> finishDelete(pod.getMetadata().getName()));
        }
      }

      @Override
      public void onDelete(Pod pod, boolean finalStateUnknown) {
        stopProcesses(pod.getMetadata().getName());
      }
    });
  }

  void hold() {
    held = true;
  }

  void release() {
    held = false;
  }

  /** The environment container {@code container} of pod {@code pod} was started with. */
  Map<String, String> environment(String pod, String container) {
    return environments.getOrDefault(pod + "/" + container, Map.of());
  }

  /** Whether any process of the pod still runs. */
  boolean running(String pod) {
    return processes.getOrDefault(pod, List.of()).stream().anyMatch(LocalProcess::isAlive);
  }

  private void run(Pod pod) {
    String name = pod.getMetadata().getName();
    try {
      // the scheduler's job: bind the pod to a node
      admin.bindings().inNamespace(namespace).resource(new BindingBuilder().withNewMetadata().withName(name)
          .endMetadata().withNewTarget().withApiVersion("v1").withKind("Node").withName(NODE).endTarget().build())
          .create();
      List<LocalProcess> started = new ArrayList<>();
      processes.put(name, started);
      for (Container container : pod.getSpec().getContainers()) {
        ContainerEnvironment resolved;
        try {
          resolved = ContainerEnvironment.of(admin, namespace, container, root.resolve(name));
        } catch (ContainerEnvironment.MissingSecretKey e) {
          throw new IllegalStateException("CreateContainerConfigError: " + e.getMessage());
        }
        Map<String, String> env = resolved.env();
        Path workDir = resolved.workDir() != null ? resolved.workDir() : root;
        environments.put(name + "/" + container.getName(), env);
        Map<String, String> processEnv = new LinkedHashMap<>(env);
        processEnv.put("DBOPS_JAVA_OPTS", "-Xmx192m -XX:TieredStopAtLevel=1");
        List<String> command = List.of(LocalProcess.distribution().resolve("bin/dbops").toString(),
            container.getArgs().get(0));
        started.add(LocalProcess.start(name + "/" + container.getName(), command, processEnv, workDir));
      }
      status(name, pod, 0);
      for (int i = 0; i < pod.getSpec().getContainers().size(); i++) {
        int port = pod.getSpec().getContainers().get(i).getReadinessProbe().getTcpSocket().getPort().getIntVal();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (held || !Ports.listening(port)) { // the readiness probe (periodSeconds)
          if (!processes.containsKey(name) || System.nanoTime() > deadline) {
            return;
          }
          Thread.sleep(200);
        }
        status(name, pod, i + 1);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException e) {
      System.err.println("Simulated kubelet cannot run pod " + name + ": " + e);
    }
  }

  /** Running, with the first {@code ready} containers ready. */
  private void status(String name, Pod pod, int ready) {
    List<Container> containers = pod.getSpec().getContainers();
    List<ContainerStatus> statuses = new ArrayList<>();
    String now = Instant.now().toString();
    for (int i = 0; i < containers.size(); i++) {
      statuses.add(new ContainerStatusBuilder().withName(containers.get(i).getName())
          .withImage(containers.get(i).getImage()).withImageID("").withRestartCount(0).withReady(i < ready)
          .withStarted(true).withNewState().withNewRunning().withStartedAt(now).endRunning().endState().build());
    }
    String allReady = ready == containers.size() ? "True" : "False";
    admin.pods().inNamespace(namespace).withName(name).editStatus(p -> {
      p.setStatus(new PodStatusBuilder().withPhase("Running").withHostIP("127.0.0.1").withPodIP("127.0.0.1")
          .withStartTime(now).withContainerStatuses(statuses)
          .withConditions(new PodConditionBuilder().withType("Ready").withStatus(allReady).build(),
              new PodConditionBuilder().withType("ContainersReady").withStatus(allReady).build(),
              new PodConditionBuilder().withType("PodScheduled").withStatus("True").build())
          .build());
      return p;
    });
  }

  private void finishDelete(String name) {
    stopProcesses(name);
    admin.pods().inNamespace(namespace).withName(name).withGracePeriod(0).delete();
  }

  private void stopProcesses(String pod) {
    List<LocalProcess> running = processes.remove(pod);
    if (running == null) {
      return;
    }
    for (LocalProcess p : running) {
      try {
        p.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The container's output, for failure messages. */
  String output(String pod) {
    StringBuilder out = new StringBuilder();
    processes.getOrDefault(pod, List.of()).forEach(p -> out.append(p.describe()).append('\n'));
    return out.toString();
  }

  @Override
  public void close() {
    if (informer != null) {
      informer.close();
    }
    List.copyOf(processes.keySet()).forEach(this::stopProcesses);
    workers.shutdownNow();
    try {
      workers.awaitTermination(Duration.ofSeconds(10).toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
