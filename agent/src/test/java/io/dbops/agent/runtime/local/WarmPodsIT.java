package io.dbops.agent.runtime.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.dbops.agent.config.LocalSettings;
import io.dbops.agent.secrets.PodSecrets;
import io.dbops.protocol.InitStageOutput;
import io.dbops.protocol.InitStagePayload;
import io.dbops.support.Secrets;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Warm pods and pod reuse with real processes ({@link TestPodMain}'s warm stand-ins follow the
 * warm-start contract): a warm pod serves a stage and is replaced, its log files are the stage's
 * and masked; pods of one reuse key share processes, no other stage gets them, idle ones expire;
 * several step images start cold; a failed binding falls back to a cold start; what an abandoned
 * runtime leaves is removed by the next one, and a warm pod ends with its stdin.
 */
class WarmPodsIT {
  private static final String SECRET = "warm pa55 w0rd/x+y&z";
  private static final String OTHER_SECRET = "second-stage-pw-7781";
  @TempDir Path stateDir;
  private final List<LocalPodRuntime> runtimes = new ArrayList<>();
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(LocalPodRuntime.class);

  @BeforeEach
  void captureLogs() {
    logs.start();
    logger.addAppender(logs);
  }

  @AfterEach
  void stop() {
    logger.detachAppender(logs);
    runtimes.forEach(LocalPodRuntime::close);
  }

  private LocalPodRuntime runtime(String instance, Duration reuse, LocalPodRuntime.PortSource ports) {
    LocalPodRuntime runtime = new LocalPodRuntime(new LocalSettings(LocalPodRuntimeIT.javaCommand(), 4, null,
        Map.of(), 1, reuse), stateDir, Duration.ofSeconds(90), System::getenv, ports, instance,
        WarmPool.Refill.ON_END, Duration.ofSeconds(60));
    runtimes.add(runtime);
    return runtime;
  }

  private LocalPodRuntime runtime(Duration reuse) {
    return runtime("i-1", reuse, LocalPodRuntime::freePort);
  }

  /** The warm pod of the runtime once it is warm. */
  private static WarmPod warmPod(LocalPodRuntime runtime) {
    await().atMost(Duration.ofSeconds(90)).until(() -> runtime.warmPods().stream()
        .anyMatch(p -> p.warm().isDone() && !p.warm().isCompletedExceptionally()));
    return runtime.warmPods().get(0);
  }

  @Test
  void aWarmPodServesAStageWithItsSecretsMaskedInThePodsLogFilesAndIsReplacedWhenItStops() throws Exception {
    LocalPodRuntime runtime = runtime(Duration.ZERO);
    runtime.warmUp();
    WarmPod warm = warmPod(runtime);

    InitStageOutput output = runtime.start(LocalPodRuntimeIT.pod("pod-1", 1), secrets(SECRET));

    int liteEnginePort = port(output.liteEngineAddress());
    HealthProbe probe = new HealthProbe();
    assertThat(probe.isServing(liteEnginePort)).isTrue();
    assertThat(probe.isServing(output.stepPorts().get(0))).isTrue();
    // the warm processes serve the stage, with its variables, in the stage's own log files
    Path stepLog = stateDir.resolve("pods/pod-1/step-1.log");
    assertThat(stepLog).content().contains("PID=" + warm.pids().get(1), "SHA256=" + TestPodMain.sha256(SECRET),
        "MASK_ENV=DBOPS_DB_PASSWORD,DBOPS_POD_TOKEN", "PLAIN=plain-value", "DBOPS_DB_PASSWORD=" + Secrets.MASK,
        "BASE64=" + Secrets.MASK, "URL=" + Secrets.MASK);
    assertThat(stateDir.resolve("pods/pod-1/lite-engine.log")).content()
        .contains("LITE_ENGINE_PID=" + warm.pids().get(0), "LITE_ENGINE_SHA256=" + TestPodMain.sha256(SECRET));
    assertNoSecretInAnyFile(SECRET);
    assertThat(runtime.warmPods()).doesNotContain(warm);

    runtime.stop("pod-1");

    assertThat(warm.processes()).noneMatch(Process::isAlive);
    assertThat(probe.isServing(liteEnginePort)).isFalse();
    WarmPod replacement = warmPod(runtime);
    assertThat(replacement.id()).isNotEqualTo(warm.id());
    assertThat(replacement.pids()).doesNotContainAnyElementsOf(warm.pids());
    assertNoSecretInAnyFile(SECRET);
    runtime.stop("pod-1"); // idempotent
  }

  @Test
  void stagesWithTheSameReuseKeyRunOnTheSameProcessesWithTheirOwnCredentialsAndNoOtherStageGetsThem()
      throws Exception {
    LocalPodRuntime runtime = runtime(Duration.ofSeconds(5));
    runtime.warmUp();
    WarmPod warm = warmPod(runtime);
    long stepPid = warm.pids().get(1);

    runtime.start(LocalPodRuntimeIT.pod("t1-dev", 1).withReuseKey("rollout:r1:dev"), secrets(SECRET));
    runtime.stop("t1-dev");
    assertThat(warm.processes()).allMatch(Process::isAlive);
    assertThat(stateDir.resolve("pods/t1-dev/step-1.log")).content().contains("dbops step runtime released");

    InitStageOutput second = runtime.start(LocalPodRuntimeIT.pod("t2-dev", 1).withReuseKey("rollout:r1:dev"),
        secrets(OTHER_SECRET));

    assertThat(new HealthProbe().isServing(second.stepPorts().get(0))).isTrue();
    String first = Files.readString(stateDir.resolve("pods/t1-dev/step-1.log"));
    String next = Files.readString(stateDir.resolve("pods/t2-dev/step-1.log"));
    assertThat(next).contains("PID=" + stepPid, "SHA256=" + TestPodMain.sha256(OTHER_SECRET))
        .doesNotContain(TestPodMain.sha256(SECRET));
    assertThat(tokenHash(next)).isNotEqualTo(tokenHash(first));
    assertNoSecretInAnyFile(SECRET);
    assertNoSecretInAnyFile(OTHER_SECRET);
    runtime.stop("t2-dev");

    // another key, or none: never these processes
    runtime.start(LocalPodRuntimeIT.pod("u1-dev", 1).withReuseKey("rollout:r2:dev"), secrets(SECRET));
    runtime.start(LocalPodRuntimeIT.pod("v1-dev", 1), secrets(SECRET));
    assertThat(Files.readString(stateDir.resolve("pods/u1-dev/step-1.log"))).doesNotContain("PID=" + stepPid + "\n");
    assertThat(Files.readString(stateDir.resolve("pods/v1-dev/step-1.log"))).doesNotContain("PID=" + stepPid + "\n");
    runtime.stop("u1-dev");
    runtime.stop("v1-dev");

    // not reused within DBOPS_LOCAL_POD_REUSE_SECONDS: stopped
    await().atMost(Duration.ofSeconds(60)).until(() -> warm.processes().stream().noneMatch(Process::isAlive));
    assertThat(logs.list).extracting(ILoggingEvent::getFormattedMessage)
        .anySatisfy(m -> assertThat(m).contains("Pod t2-dev is ready on idle pod " + warm.id()));
  }

  @Test
  void aStageWithTwoStepImagesStartsColdAndLeavesTheWarmPodAlone() throws Exception {
    LocalPodRuntime runtime = runtime(Duration.ZERO);
    runtime.warmUp();
    WarmPod warm = warmPod(runtime);

    InitStageOutput output = runtime.start(LocalPodRuntimeIT.pod("two-1", 2)
        .withStepImages(List.of("dbops:dev", "other:1")), secrets(SECRET));

    assertThat(output.stepPorts()).hasSize(2).doesNotHaveDuplicates();
    assertThat(stateDir.resolve("pods/two-1/step-2.log")).content().contains("cmdline=");
    assertThat(runtime.warmPods()).containsExactly(warm);
    runtime.stop("two-1");
    assertThat(warm.processes()).allMatch(Process::isAlive);
  }

  @Test
  void aBindingThatFailsStopsTheWarmPodAndTheStageStartsCold() throws Exception {
    try (ServerSocket squatter = new ServerSocket(0)) {
      // the warm pod's first binding gets a port another process holds
      AtomicBoolean first = new AtomicBoolean(true);
      LocalPodRuntime runtime = runtime("i-1", Duration.ZERO,
          () -> first.getAndSet(false) ? squatter.getLocalPort() : LocalPodRuntime.freePort());
      runtime.warmUp();
      WarmPod warm = warmPod(runtime);

      InitStageOutput output = runtime.start(LocalPodRuntimeIT.pod("pod-5", 1), secrets(SECRET));

      assertThat(new HealthProbe().isServing(port(output.liteEngineAddress()))).isTrue();
      assertThat(warm.processes()).noneMatch(Process::isAlive);
      assertThat(stateDir.resolve("pods/pod-5/step-1.log")).content().contains("cmdline="); // a cold process
      assertThat(logs.list).filteredOn(e -> e.getLevel().toString().equals("INFO"))
          .extracting(ILoggingEvent::getFormattedMessage)
          .anySatisfy(m -> assertThat(m).contains("Pod pod-5: the warm pod " + warm.id() + " could not serve it",
              "starting it cold").doesNotContain(SECRET));
      assertNoSecretInAnyFile(SECRET);
    }
  }

  @Test
  void aBindingTheProcessRefusesFallsBackToAColdStart() throws Exception {
    LocalPodRuntime runtime = runtime(Duration.ZERO);
    runtime.warmUp();
    WarmPod warm = warmPod(runtime);
    InitStagePayload refused = new InitStagePayload("e1", "dev", "pod-6", "dbops:dev", 1,
        Map.of("TEST_WARM_BIND", "exit"), List.of(new InitStagePayload.SecretEnv("DBOPS_DB_PASSWORD", "env:X")), 600);

    InitStageOutput output = runtime.start(refused, secrets(SECRET));

    assertThat(new HealthProbe().isServing(output.stepPorts().get(0))).isTrue();
    assertThat(warm.processes()).noneMatch(Process::isAlive);
    assertThat(stateDir.resolve("pods/pod-6/step-1.log")).content()
        .contains("binding refused on purpose", "cmdline=");
  }

  @Test
  void whatAnAbandonedRuntimeLeftIsRemovedByTheNextAndAWarmPodEndsWithItsStdin() throws Exception {
    LocalPodRuntime abandoned = runtime("i-killed", Duration.ofSeconds(600), LocalPodRuntime::freePort);
    abandoned.warmUp();
    WarmPod idle = warmPod(abandoned);
    abandoned.start(LocalPodRuntimeIT.pod("k1-dev", 1).withReuseKey("rollout:r1:dev"), secrets(SECRET));
    abandoned.stop("k1-dev"); // kept idle for its key
    WarmPod warm = warmPod(abandoned); // the replacement
    List<Process> left = new ArrayList<>(idle.processes());
    left.addAll(warm.processes());
    assertThat(left).allMatch(Process::isAlive);

    LocalPodRuntime next = runtime("i-next", Duration.ZERO, LocalPodRuntime::freePort);
    assertThat(next.removeLeftovers()).isEqualTo(4);

    await().atMost(Duration.ofSeconds(30)).until(() -> left.stream().noneMatch(Process::isAlive));
    abandoned.close();

    // a warm pod whose delegate is gone (its stdin closed) ends by itself
    next.warmUp();
    WarmPod orphan = warmPod(next);
    for (Process p : orphan.processes()) {
      p.getOutputStream().close();
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> orphan.processes().stream().noneMatch(Process::isAlive));
    assertThat(orphan.processes()).allMatch(p -> p.exitValue() == 0);
  }

  private void assertNoSecretInAnyFile(String secret) throws Exception {
    try (var files = Files.walk(stateDir)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        assertThat(Files.readString(file)).as(file.toString()).doesNotContain(secret,
            Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8)),
            URLEncoder.encode(secret, StandardCharsets.UTF_8));
      }
    }
  }

  private static String tokenHash(String log) {
    return log.lines().filter(l -> l.startsWith("TOKEN_SHA256=")).findFirst().orElseThrow();
  }

  private static int port(String address) {
    return Integer.parseInt(address.substring(address.indexOf(':') + 1));
  }

  private static PodSecrets secrets(String password) {
    return new PodSecrets(Map.of("DBOPS_DB_PASSWORD", password), List.of());
  }
}
