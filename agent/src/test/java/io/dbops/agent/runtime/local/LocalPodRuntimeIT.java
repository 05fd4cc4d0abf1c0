package io.dbops.agent.runtime.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dbops.agent.runtime.PodException;
import io.dbops.agent.secrets.PodSecrets;
import io.dbops.protocol.InitStageOutput;
import io.dbops.protocol.InitStagePayload;
import io.dbops.support.Secrets;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Base64;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real pods: real processes on real ports. */
class LocalPodRuntimeIT {
  private static final String SECRET = "pa55 w0rd/x+y&z";
  @TempDir Path stateDir;
  private LocalPodRuntime runtime;

  @AfterEach
  void stop() {
    if (runtime != null) {
      runtime.close();
    }
  }

  static List<String> javaCommand() {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return List.of(java, "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        TestPodMain.class.getName());
  }

  @Test
  void startsAReadyPodPassingSecretsOnlyThroughTheEnvironmentMaskingTheirOutputAndStopsIt() throws Exception {
    runtime = new LocalPodRuntime(javaCommand(), stateDir, Duration.ofSeconds(60));

    InitStageOutput output = runtime.start(pod("pod-1", 1), secrets());

    assertThat(output.podName()).isEqualTo("pod-1");
    assertThat(output.liteEngineAddress()).startsWith("127.0.0.1:");
    assertThat(output.stepPorts()).hasSize(1);
    int liteEnginePort = Integer.parseInt(output.liteEngineAddress().substring("127.0.0.1:".length()));
    HealthProbe probe = new HealthProbe();
    assertThat(probe.isServing(liteEnginePort)).isTrue();
    assertThat(probe.isServing(output.stepPorts().get(0))).isTrue();

    Path stepLog = stateDir.resolve("pods/pod-1/step-1.log");
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(stepLog).contains("PLAIN="));
    List<String> lines = Files.readAllLines(stepLog);
    String mask = Secrets.MASK;
    // The value reached the step process's environment (its hash), named in DBOPS_MASK_ENV ...
    assertThat(lines).contains("SHA256=" + TestPodMain.sha256(SECRET), "MASK_ENV=DBOPS_DB_PASSWORD,DBOPS_POD_TOKEN",
        "PLAIN=plain-value");
    // ... and every form it printed, also the one split across two writes, is masked in the file.
    assertThat(lines).contains("DBOPS_DB_PASSWORD=" + mask, "BASE64=" + mask, "URL=" + mask, "SPLIT=" + mask);
    assertThat(lines).filteredOn(l -> l.startsWith("cmdline=")).singleElement()
        .satisfies(l -> assertThat(l).doesNotContain(SECRET).endsWith("TestPodMain step-runtime"));
    Path liteEngineLog = stateDir.resolve("pods/pod-1/lite-engine.log");
    assertThat(liteEngineLog).content().contains("LITE_ENGINE_SHA256=" + TestPodMain.sha256(SECRET))
        .containsPattern("Lite engine listening on 127\\.0\\.0\\.1:\\d+ \\([1-9]\\d* secret forms masked\\)");
    try (var files = Files.walk(stateDir)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        assertThat(Files.readString(file)).as(file.toString()).doesNotContain(SECRET,
            Base64.getEncoder().encodeToString(SECRET.getBytes(StandardCharsets.UTF_8)),
            URLEncoder.encode(SECRET, StandardCharsets.UTF_8), SECRET.substring(4));
      }
    }

    // init retried for the same stage: the running pod is reused
    assertThat(runtime.start(pod("pod-1", 1), secrets())).isEqualTo(output);

    runtime.stop("pod-1");

    assertThat(probe.isServing(liteEnginePort)).isFalse();
    assertThat(probe.isServing(output.stepPorts().get(0))).isFalse();
    runtime.stop("pod-1"); // idempotent
  }

  @Test
  void failsFastWithTheExitCodeAndLogTailOfAContainerThatDies() {
    runtime = new LocalPodRuntime(List.of("sh", "-c", "echo starting; echo 'boom: bad config' >&2; exit 3"),
        stateDir, Duration.ofSeconds(60));
    long started = System.nanoTime();

    assertThatThrownBy(() -> runtime.start(pod("pod-2", 0), PodSecrets.NONE))
        .isInstanceOf(PodException.class)
        .hasMessageContaining("Container lite-engine of pod pod-2 exited with code 3 before it was ready")
        .hasMessageContaining("starting\nboom: bad config");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void stopsAPodThatOutlivesItsDeadline() throws Exception {
    runtime = new LocalPodRuntime(javaCommand(), stateDir, Duration.ofSeconds(60));
    InitStagePayload shortLived = new InitStagePayload("e1", "dev", "pod-3", "dbops:dev", 1, Map.of(),
        // long enough for two JVMs to start on a fully loaded machine, short enough to wait out
        List.of(new InitStagePayload.SecretEnv("DBOPS_DB_PASSWORD", "env:DELEGATE_DB_PASSWORD")), 20);

    InitStageOutput output = runtime.start(shortLived, secrets());

    HealthProbe probe = new HealthProbe();
    int liteEnginePort = Integer.parseInt(output.liteEngineAddress().substring("127.0.0.1:".length()));
    assertThat(probe.isServing(output.stepPorts().get(0))).isTrue();
    // Like activeDeadlineSeconds: counted from the start, the pod is stopped without anyone asking.
    await().atMost(Duration.ofSeconds(60)).until(() -> !probe.isServing(liteEnginePort)
        && !probe.isServing(output.stepPorts().get(0)));
    runtime.stop("pod-3"); // already stopped: nothing left to do
  }

  @Test
  void startsThePodAgainOnOtherPortsWhenAChosenPortIsTakenBeforeTheContainerBindsIt() throws Exception {
    try (ServerSocket squatter = new ServerSocket(0)) {
      // The first port handed out is one another process holds, as if it took it just after the choice.
      AtomicBoolean first = new AtomicBoolean(true);
      runtime = new LocalPodRuntime(javaCommand(), stateDir, Duration.ofSeconds(60),
          () -> first.getAndSet(false) ? squatter.getLocalPort() : LocalPodRuntime.freePort());

      InitStageOutput output = runtime.start(pod("pod-4", 1), secrets());

      int liteEnginePort = Integer.parseInt(output.liteEngineAddress().substring("127.0.0.1:".length()));
      assertThat(liteEnginePort).isNotEqualTo(squatter.getLocalPort());
      assertThat(new HealthProbe().isServing(liteEnginePort)).isTrue();
      assertThat(stateDir.resolve("pods/pod-4/lite-engine.log")).content().contains("Address already in use");
    }
  }

  @Test
  void givesUpWithTheContainersLogWhenItsPortsKeepBeingTaken() throws Exception {
    try (ServerSocket squatter = new ServerSocket(0)) {
      runtime = new LocalPodRuntime(javaCommand(), stateDir, Duration.ofSeconds(60), squatter::getLocalPort);

      assertThatThrownBy(() -> runtime.start(pod("pod-5", 1), secrets()))
          .isInstanceOf(PodException.class)
          .hasMessageContaining("Container lite-engine of pod pod-5 exited with code")
          .hasMessageContaining("Address already in use");
    }
  }

  @Test
  void stoppingAnUnknownPodSucceeds() throws Exception {
    runtime = new LocalPodRuntime(javaCommand(), stateDir, Duration.ofSeconds(5));

    runtime.stop("never-started");
  }

  static InitStagePayload pod(String name, int steps) {
    return new InitStagePayload("e1", "dev", name, "dbops:dev", steps, Map.of("PLAIN", "plain-value"),
        List.of(new InitStagePayload.SecretEnv("DBOPS_DB_PASSWORD", "env:DELEGATE_DB_PASSWORD")), 600);
  }

  static PodSecrets secrets() {
    return new PodSecrets(Map.of("DBOPS_DB_PASSWORD", SECRET), List.of());
  }
}
