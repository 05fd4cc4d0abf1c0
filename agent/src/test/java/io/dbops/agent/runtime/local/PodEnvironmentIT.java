package io.dbops.agent.runtime.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dbops.agent.config.LocalSettings;
import io.dbops.agent.runtime.PodException;
import io.dbops.agent.secrets.PodSecrets;
import io.dbops.protocol.InitStageOutput;
import io.dbops.protocol.InitStagePayload;
import io.dbops.testsupport.Ports;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Contracts A, B and D on the local runtime, with real processes: a pod process gets nothing of the
 * delegate's environment but the allowlisted variables, gets its credential and wiring, runs with a
 * bounded heap and listens on loopback only; the runtime caps how many pods run at once.
 */
class PodEnvironmentIT {
  private static final String CANARY = "canary-from-the-delegate-5521";
  @TempDir Path stateDir;
  @TempDir Path dumps;
  private LocalPodRuntime runtime;

  @AfterEach
  void stop() {
    if (runtime != null) {
      runtime.close();
    }
  }

  private LocalPodRuntime runtime(int maxPods) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // no -Xmx here: the runtime's bounded default heap applies
    List<String> command = List.of(java, "-XX:TieredStopAtLevel=1", "-Ddump.dir=" + dumps,
        "-cp", System.getProperty("java.class.path"), EnvDumpPodMain.class.getName());
    Map<String, String> delegateEnv = new HashMap<>();
    delegateEnv.put("PATH", System.getenv("PATH"));
    delegateEnv.put("HOME", "/home/delegate");
    delegateEnv.put("LANG", "C.UTF-8");
    delegateEnv.put("DBOPS_LOG_LEVEL", "info");
    delegateEnv.put("DBOPS_TOKEN", "dlg_" + CANARY);
    delegateEnv.put("DBOPS_SERVER_URL", "https://cp.example.com");
    delegateEnv.put("AWS_SECRET_ACCESS_KEY", CANARY);
    delegateEnv.put("DELEGATE_CANARY", CANARY);
    return new LocalPodRuntime(new LocalSettings(command, maxPods, null,
        Map.of("DBOPS_STEP_DURABILITY", "sync")), stateDir, Duration.ofSeconds(60), delegateEnv::get);
  }

  @Test
  void podProcessesGetOnlyTheAllowlistedEnvironmentTheirCredentialAndABoundedHeap() throws Exception {
    runtime = runtime(4);
    PodSecrets secrets = new PodSecrets(Map.of("DBOPS_DB_PASSWORD", "s3cret-pw"), List.of(), null, "http://cp.example:8080");

    InitStageOutput output = runtime.start(pod("pod-1", 1), secrets);

    int liteEnginePort = Integer.parseInt(output.liteEngineAddress().substring("127.0.0.1:".length()));
    int stepPort = output.stepPorts().get(0);
    Map<String, String> liteEngine = dump("lite-engine-" + liteEnginePort);
    Map<String, String> step = dump("step-runtime-" + stepPort);
    for (Map<String, String> env : List.of(liteEngine, step)) {
      assertThat(env.values()).noneMatch(v -> v.contains(CANARY));
      assertThat(env).doesNotContainKeys("DBOPS_TOKEN", "DBOPS_SERVER_URL", "AWS_SECRET_ACCESS_KEY",
          "DELEGATE_CANARY", "DBOPS_BIND_ADDRESS");
      assertThat(env).containsEntry("DBOPS_POD_TOKEN", secrets.podToken())
          .containsEntry("HOME", "/home/delegate").containsEntry("LANG", "C.UTF-8")
          .containsEntry("DBOPS_LOG_LEVEL", "info").containsEntry("DBOPS_DB_PASSWORD", "s3cret-pw");
      assertThat(env.get("DBOPS_MASK_ENV").split(",")).containsExactlyInAnyOrder("DBOPS_DB_PASSWORD", "DBOPS_POD_TOKEN");
    }
    assertThat(liteEngine.keySet()).containsExactlyInAnyOrder("PATH", "HOME", "LANG", "DBOPS_LOG_LEVEL",
        "JDK_JAVA_OPTIONS", "DBOPS_DB_PASSWORD", "DBOPS_POD_TOKEN", "DBOPS_MASK_ENV", "DBOPS_LITE_ENGINE_PORT",
        "DBOPS_POD_STEP_PORTS", "DBOPS_LOG_SERVICE_URL", "DBOPS_LOG_SPOOL_DIR", "#MAX_HEAP");
    // the log spool (it holds the log token) is the pod's own directory, not a shared one
    assertThat(liteEngine).containsEntry("DBOPS_LOG_SPOOL_DIR", stateDir.resolve("pods/pod-1/log-spool").toString());
    assertThat(liteEngine).containsEntry("DBOPS_POD_STEP_PORTS", Integer.toString(stepPort))
        .containsEntry("DBOPS_LOG_SERVICE_URL", "http://cp.example:8080")
        .containsEntry("JDK_JAVA_OPTIONS", LocalSettings.LITE_ENGINE_JAVA_OPTS);
    assertThat(step.keySet()).containsExactlyInAnyOrder("PATH", "HOME", "LANG", "DBOPS_LOG_LEVEL",
        "JDK_JAVA_OPTIONS", "DBOPS_STEP_DURABILITY", "PLAIN", "DBOPS_DB_PASSWORD", "DBOPS_POD_TOKEN", "DBOPS_MASK_ENV",
        "DBOPS_STEP_PORT", "#MAX_HEAP");
    assertThat(step).containsEntry("JDK_JAVA_OPTIONS", LocalSettings.STEP_RUNTIME_JAVA_OPTS).containsEntry("DBOPS_STEP_DURABILITY", "sync");
    assertThat(Long.parseLong(liteEngine.get("#MAX_HEAP"))).isLessThanOrEqualTo(96L * 1024 * 1024);
    assertThat(Long.parseLong(step.get("#MAX_HEAP"))).isLessThanOrEqualTo(256L * 1024 * 1024);
  }

  @Test
  void theLiteEngineListensOnLoopbackOnly() throws Exception {
    Optional<InetAddress> external = Ports.nonLoopbackIpv4();
    Assumptions.assumeTrue(external.isPresent(), "this host has no non-loopback IPv4 address");
    Assumptions.assumeTrue(liteEngineReadsItsBindAddress(),
        "the lite engine of this tree binds every interface (contract B is implemented on another branch)");
    runtime = runtime(4);
    InitStageOutput output = runtime.start(pod("pod-1", 1), new PodSecrets(Map.of("DBOPS_DB_PASSWORD", "x-pass"), List.of()));
    int port = Integer.parseInt(output.liteEngineAddress().substring("127.0.0.1:".length()));

    try (Socket loopback = new Socket()) {
      loopback.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
    }
    assertThatThrownBy(() -> {
      try (Socket outside = new Socket()) {
        outside.connect(new InetSocketAddress(external.get(), port), 2000);
      }
    }).isInstanceOf(IOException.class);
  }

  @Test
  void atMostMaxPodsRunAtOnceAndAStoppedPodFreesItsSlot() throws Exception {
    runtime = runtime(1);
    runtime.start(pod("pod-1", 1), new PodSecrets(Map.of("DBOPS_DB_PASSWORD", "x-pass"), List.of()));

    assertThatThrownBy(() -> runtime.start(pod("pod-2", 1), new PodSecrets(Map.of("DBOPS_DB_PASSWORD", "x-pass"), List.of())))
        .isInstanceOf(PodException.class)
        .hasMessage("Pod pod-2 was not started: the local runtime already runs 1 pod(s), its limit"
            + " (DBOPS_LOCAL_MAX_PODS=1); raise DBOPS_LOCAL_MAX_PODS on the delegate, or run fewer stages at once");
    assertThat(stateDir.resolve("pods/pod-2")).doesNotExist();

    runtime.stop("pod-1");
    assertThat(runtime.start(pod("pod-2", 1), new PodSecrets(Map.of("DBOPS_DB_PASSWORD", "x-pass"), List.of())).podName()).isEqualTo("pod-2");
  }

  private Map<String, String> dump(String name) throws Exception {
    Path file = dumps.resolve(name + ".env");
    await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(file));
    Map<String, String> env = new LinkedHashMap<>();
    for (String line : Files.readAllLines(file)) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        env.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    return env;
  }

  private static InitStagePayload pod(String name, int steps) {
    return new InitStagePayload("e1", "dev", name, "dbops:dev", steps, Map.of("PLAIN", "plain-value"),
        List.of(new InitStagePayload.SecretEnv("DBOPS_DB_PASSWORD", "env:X")), 600);
  }

  /** True once the lite engine reads DBOPS_BIND_ADDRESS (contract B). */
  private static boolean liteEngineReadsItsBindAddress() {
    try {
      return Set.of(Class.forName("io.dbops.liteengine.config.LiteEngineConfig").getRecordComponents()).stream()
          .anyMatch(c -> c.getName().toLowerCase(java.util.Locale.ROOT).contains("bind"));
    } catch (ClassNotFoundException e) {
      return false;
    }
  }
}
