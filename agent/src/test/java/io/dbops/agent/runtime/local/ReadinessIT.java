package io.dbops.agent.runtime.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbops.agent.runtime.PodException;
import io.dbops.secrets.Masker;
import io.dbops.support.NamedThreadFactory;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local pod's readiness signal: the container's own "listening on port N" line, confirmed by
 * one health check, not a sleeping poll. The health server here serves from the start, so only
 * the signal decides when the wait ends: with a fallback probe of 60 s, a wait that ends within
 * 20 s was ended by the line.
 */
class ReadinessIT {
  private static final Duration NO_FALLBACK_FOR_A_MINUTE = Duration.ofSeconds(60);
  @TempDir Path dir;
  private Server health;
  private final List<Process> processes = new ArrayList<>();

  @BeforeEach
  void serveHealth() throws Exception {
    HealthStatusManager status = new HealthStatusManager();
    status.setStatus("", ServingStatus.SERVING);
    health = NettyServerBuilder.forPort(0).addService(status.getHealthService()).build().start();
  }

  @AfterEach
  void stop() {
    processes.forEach(Process::destroyForcibly);
    health.shutdownNow();
  }

  private PodProcess container(String script) throws Exception {
    Process process = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true).start();
    processes.add(process);
    Path log = dir.resolve("c" + processes.size() + ".log");
    OutputPump pump = OutputPump.start(process.getInputStream(), log, Masker.NONE,
        Readiness.readyLine(health.getPort()), new NamedThreadFactory("test-pump", true));
    return new PodProcess("step-" + processes.size(), health.getPort(), process, log, pump, null);
  }

  @Test
  void theReadyLineEndsTheWaitAtOnce() throws Exception {
    PodProcess c = container("echo starting; sleep 0.3; echo 'dbops step runtime listening on port "
        + health.getPort() + "'; sleep 120");
    Readiness readiness = new Readiness(new HealthProbe(), Duration.ofSeconds(90), NO_FALLBACK_FOR_A_MINUTE);

    long start = System.nanoTime();
    readiness.await("pod", List.of(c));

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
  }

  @Test
  void withoutTheLineTheFallbackProbeStillFindsItReady() throws Exception {
    PodProcess c = container("echo 'listening on another port'; sleep 120");
    Readiness readiness = new Readiness(new HealthProbe(), Duration.ofSeconds(60), Duration.ofMillis(300));

    readiness.await("pod", List.of(c));

    assertThat(c.pump().ready()).isNotDone();
  }

  @Test
  void aContainerThatExitsEndsTheWaitAtOnceWithItsLog() throws Exception {
    PodProcess c = container("echo 'cannot start: bad setting'; exit 78");
    Readiness readiness = new Readiness(new HealthProbe(), Duration.ofSeconds(90), NO_FALLBACK_FOR_A_MINUTE);

    long start = System.nanoTime();
    assertThatThrownBy(() -> readiness.await("pod", List.of(c))).isInstanceOf(PodException.class)
        .hasMessageContaining("exited with code 78 before it was ready")
        .hasMessageContaining("cannot start: bad setting");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
  }
}
