package io.dbops.deploy;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Kubernetes API server (kube-apiserver 1.20 on etcd, with kube-controller-manager), started by
 * {@code k8s/start-apiserver.sh}, which prints the kubeconfig to use: set {@code DBOPS_TEST_KUBECONFIG}
 * to it. Without it the test is skipped with a message saying so, except under {@code CI=true}, where
 * it fails (CI must never pass by skipping), as {@code TestDatabases} does for databases.
 */
final class RealKubernetes {
  static final String VARIABLE = "DBOPS_TEST_KUBECONFIG";

  private RealKubernetes() {}

  /** The kubeconfig of the running API server; skips (or fails under CI) without one. */
  static Path kubeconfig() {
    String value = System.getenv(VARIABLE);
    String message = null;
    if (value == null || value.isBlank()) {
      message = "No real Kubernetes API server: " + VARIABLE + " is not set. Start one with"
          + " k8s/start-apiserver.sh (it builds kube-apiserver once per machine) and export " + VARIABLE
          + "=<the kubeconfig it prints>";
    } else if (!Files.isReadable(Path.of(value))) {
      message = VARIABLE + "=" + value + " is not a readable file: start the API server with k8s/start-apiserver.sh";
    }
    if (message != null) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new IllegalStateException("CI=true and no real Kubernetes API server: " + message);
      }
      Assumptions.abort(message);
    }
    return Path.of(value);
  }

  /**
   * Restarts the API server of that kubeconfig (its directory is the state directory of {@code
   * k8s/start-apiserver.sh}) on the same port, etcd kept: the server closes every open watch. Returns
   * once it is ready again.
   */
  static void restartApiServer(Path kubeconfig) throws IOException, InterruptedException {
    Path script = Path.of(System.getProperty("dbops.k8s", "../k8s")).resolve("restart-apiserver.sh");
    Process process = new ProcessBuilder(script.toString(), kubeconfig.getParent().toString())
        .redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (!process.waitFor(120, java.util.concurrent.TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException("Cannot restart the API server with " + script + ":\n" + output);
    }
  }

  /** A Fabric8 client of that API server, with the kubeconfig's (cluster-admin) credentials. */
  static KubernetesClient client(Path kubeconfig) {
    try {
      return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(kubeconfig))).build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
