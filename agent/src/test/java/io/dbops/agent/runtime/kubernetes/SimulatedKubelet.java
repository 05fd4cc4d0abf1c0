package io.dbops.agent.runtime.kubernetes;

import io.dbops.support.NamedThreadFactory;
import io.dbops.testsupport.kubernetes.ContainerEnvironment;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A kubelet for tests: watches the pods of one namespace in the mock API and runs each new pod's
 * containers as local processes ({@code javaCommand + <the container's first arg>}, for example
 * {@code lite-engine}), with exactly the environment the spec gives them ({@link
 * ContainerEnvironment}, shared with deploy-tests' kubelet for the real API server). It probes each container's gRPC health on 127.0.0.1 at its
 * first port (the readiness probe), then reports the pod Running and ready with pod IP 127.0.0.1.
 * A missing Secret or key is reported as {@code CreateContainerConfigError}, a process that exits
 * as a terminated container. Deleting the pod kills its processes.
 *
 * <p>All containers share the host's network, so the pods' ports must be free on it (the runtime's
 * base port is configurable for this). They share the host's file system too: a volume mount is
 * simulated by a host directory per pod and volume, {@code <logDir>/volumes/<pod>/<volume>}, and an
 * environment value naming a container's mount path ({@code DBOPS_WORKSPACE_ROOT=/workspace}) is
 * rewritten to that directory, since a process cannot be given its own {@code /workspace}.
 */
final class SimulatedKubelet implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SimulatedKubelet.class);

  private final KubernetesClient client;
  private final String namespace;
  private final List<String> javaCommand;
  private final Path logDir;
  private final ExecutorService workers = Executors.newCachedThreadPool(new NamedThreadFactory("kubelet", true));
  private final Map<String, List<Process>> processes = new ConcurrentHashMap<>();
  private final Map<String, Map<String, String>> environments = new ConcurrentHashMap<>();
  private SharedIndexInformer<Pod> informer;

  SimulatedKubelet(KubernetesClient client, String namespace, List<String> javaCommand, Path logDir) {
    this.client = client;
    this.namespace = namespace;
    this.javaCommand = List.copyOf(javaCommand);
    this.logDir = logDir;
  }

  void start() {
    informer = client.pods().inNamespace(namespace).inform(new ResourceEventHandler<Pod>() {
      @Override
      public void onAdd(Pod pod) {
        workers.submit(() -> run(pod));
      }

      @Override
      public void onUpdate(Pod before, Pod pod) {}

      @Override
      public void onDelete(Pod pod, boolean finalStateUnknown) {
        kill(pod.getMetadata().getName());
      }
    });
  }

  /** The environment container {@code container} of pod {@code pod} was started with. */
  Map<String, String> environment(String pod, String container) {
    return environments.getOrDefault(pod + "/" + container, Map.of());
  }

  /** Whether any process of the pod still runs. */
  boolean running(String pod) {
    return processes.getOrDefault(pod, List.of()).stream().anyMatch(Process::isAlive);
  }

  private void run(Pod pod) {
    String name = pod.getMetadata().getName();
    try {
      List<Process> started = new ArrayList<>();
      processes.put(name, started);
      for (Container container : pod.getSpec().getContainers()) {
        Map<String, String> env;
        try {
          env = ContainerEnvironment.of(client, namespace, container, volume(name, "")).env();
        } catch (ContainerEnvironment.MissingSecretKey e) {
          report(name, container.getName(), "CreateContainerConfigError", e.getMessage());
          return;
        }
        environments.put(name + "/" + container.getName(), env);
        List<String> command = new ArrayList<>(javaCommand);
        command.add(container.getArgs().get(0));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(logDir.resolve(name + "-" + container.getName() + ".log").toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        started.add(builder.start());
      }
      List<Container> containers = pod.getSpec().getContainers();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      for (int i = 0; i < containers.size(); i++) {
        Process process = started.get(i);
        int port = containers.get(i).getPorts().get(0).getContainerPort();
        // the readiness probe: a kubelet probes periodically too (periodSeconds)
        while (!serving(port)) {
          if (!process.isAlive()) {
            reportExit(name, containers.get(i).getName(), process.exitValue());
            return;
          }
          if (System.nanoTime() > deadline || !processes.containsKey(name)) {
            return;
          }
          Thread.sleep(200);
        }
      }
      Pod current = client.pods().inNamespace(namespace).withName(name).get();
      if (current != null) {
        client.pods().inNamespace(namespace).withName(name).editStatus(p -> {
          p.setStatus(PodStatuses.allReady(p, "127.0.0.1"));
          return p;
        });
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException e) {
      log.error("Simulated kubelet cannot run pod {}", name, e);
    }
  }

  private void report(String pod, String container, String reason, String message) {
    client.pods().inNamespace(namespace).withName(pod).editStatus(p -> {
      p.setStatus(new PodStatusBuilder().withPhase("Pending").addToContainerStatuses(new ContainerStatusBuilder()
          .withName(container).withReady(false).withNewState().withNewWaiting().withReason(reason)
          .withMessage(message).endWaiting().endState().build()).build());
      return p;
    });
  }

  private void reportExit(String pod, String container, int code) {
    client.pods().inNamespace(namespace).withName(pod).editStatus(p -> {
      p.setStatus(new PodStatusBuilder().withPhase("Failed").addToContainerStatuses(new ContainerStatusBuilder()
          .withName(container).withReady(false).withNewState().withNewTerminated().withExitCode(code)
          .withReason("Error").endTerminated().endState().build()).build());
      return p;
    });
  }

  /** The host directory standing in for volume {@code volume} of pod {@code pod} ("": the pod's volumes). */
  Path volume(String pod, String volume) {
    return volume.isEmpty() ? logDir.resolve("volumes").resolve(pod) : logDir.resolve("volumes").resolve(pod).resolve(volume);
  }

  /** The container's log file, for failure messages. */
  String logOf(String pod, String container) {
    try {
      return Files.readString(logDir.resolve(pod + "-" + container + ".log"));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private void kill(String pod) {
    List<Process> running = processes.remove(pod);
    if (running == null) {
      return;
    }
    running.forEach(Process::destroy);
    for (Process p : running) {
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
  }

  private static boolean serving(int port) throws InterruptedException {
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    try {
      return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.SECONDS)
          .check(HealthCheckRequest.getDefaultInstance()).getStatus() == ServingStatus.SERVING;
    } catch (StatusRuntimeException e) {
      return false;
    } finally {
      channel.shutdownNow().awaitTermination(1, TimeUnit.SECONDS);
    }
  }

  @Override
  public void close() {
    if (informer != null) {
      informer.close();
    }
    List.copyOf(processes.keySet()).forEach(this::kill);
    workers.shutdownNow();
  }
}
