package io.dbops.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dbops.agent.config.DelegateConfig;
import io.dbops.protocol.Frame;
import io.dbops.protocol.InitStageOutput;
import io.dbops.protocol.InitStagePayload;
import io.dbops.protocol.TaskStatus;
import io.dbops.protocol.TaskTypes;
import io.dbops.support.Json;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A revoked delegate gets no cleanup task for its pods: it lets its running tasks finish within
 * the drain grace, stops the rest and then stops its pods itself (real pod processes); so does a
 * delegate whose token is refused when it reconnects.
 */
class RevokedDelegateIT {
  @TempDir Path work;
  private final FakeControlPlane controlPlane = new FakeControlPlane();
  private Delegate delegate;
  private int liteEnginePort;

  @AfterEach
  void stop() throws Exception {
    if (delegate != null) {
      delegate.close();
    }
    controlPlane.close();
  }

  @Test
  void aRevokedDelegateStopsItsRunningTaskAfterTheGraceAndThenItsPods() throws Exception {
    try (LogCapture logs = new LogCapture(RevocationCleanup.class)) {
      FakeControlPlane.Session session = startWithAPod();
      // a step that would run for a minute
      session.send(new Frame.TaskOffer("t-long", TaskTypes.NOOP));
      session.next(Frame.Claim.class);
      session.send(new Frame.TaskAssigned("t-long", TaskTypes.NOOP, 1, 120, 60, Json.tree(Map.of("sleepMillis", 60_000))));

      session.send(new Frame.Revoked("The token of this delegate (tok_1) was revoked"));

      Frame.TaskResult stopped = session.nextResult(Duration.ofSeconds(15));
      assertThat(stopped.taskId()).isEqualTo("t-long");
      assertThat(stopped.status()).isEqualTo(TaskStatus.FAILED);
      assertThat(stopped.error()).isEqualTo("the delegate's token was revoked before the task finished");
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
        assertThat(isListening(liteEnginePort)).isFalse();
        assertThat(records()).isEmpty();
      });
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(logs.events())
          .extracting(e -> e.getFormattedMessage())
          .anySatisfy(m -> assertThat(m).startsWith("the control plane revoked the delegate's token: 1 running task(s)"
              + " may finish within 2 s (DBOPS_DRAIN_SECONDS, at most 60 s)"))
          .anySatisfy(m -> assertThat(m).isEqualTo("Stopped every build pod of this delegate (1): the control plane"
              + " revoked the delegate's token; it claims no more work. Give it a valid token (DBOPS_TOKEN) and"
              + " restart it")));
      assertThat(delegate.readiness().reason()).isEqualTo("the control plane revoked the delegate token");
    }
  }

  @Test
  void aTokenRefusedOnReconnectingStopsThePodsOnce() throws Exception {
    try (LogCapture logs = new LogCapture(RevocationCleanup.class)) {
      FakeControlPlane.Session session = startWithAPod();
      for (int i = 0; i < 5; i++) {
        controlPlane.refuseNext();
      }

      session.socket.close(1001, "control plane restarting"); // the delegate reconnects: refused

      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
        assertThat(isListening(liteEnginePort)).isFalse();
        assertThat(records()).isEmpty();
      });
      await().atMost(Duration.ofSeconds(5)).until(() -> controlPlane.server.getRequestCount() >= 4);
      assertThat(logs.events()).extracting(e -> e.getFormattedMessage())
          .filteredOn(m -> m.startsWith("Stopped every build pod"))
          .containsExactly("Stopped every build pod of this delegate (1): the control plane refused the delegate's"
              + " token; it claims no more work. Give it a valid token (DBOPS_TOKEN) and restart it");
    }
  }

  /** A welcomed delegate with one ready pod (real processes). */
  private FakeControlPlane.Session startWithAPod() throws Exception {
    controlPlane.start();
    controlPlane.acceptNext();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    DelegateConfig config = DelegateConfig.builder().serverUrl(controlPlane.url()).token("dlg_token").name("dc1")
        .capacity(2).runtime("local").stateDir(work.resolve("state"))
        .podProcessCommand(List.of(java, "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp",
            System.getProperty("java.class.path"), RealPodMain.class.getName()))
        .heartbeatInterval(Duration.ofSeconds(15)).maxBackoff(Duration.ofMillis(500))
        .podReadyTimeout(Duration.ofSeconds(90)).tls(DelegateConfig.Tls.INSECURE)
        .endpoints(DelegateConfig.Endpoints.loopbackFreePort())
        .drainGrace(Duration.ofSeconds(2))
        .build();
    delegate = new Delegate(config, name -> null);
    delegate.start();
    FakeControlPlane.Session session = controlPlane.nextSession();
    session.next(Frame.Hello.class);
    session.welcome(15);

    session.send(new Frame.TaskOffer("t-init", TaskTypes.INIT_STAGE));
    session.next(Frame.Claim.class);
    session.send(new Frame.TaskAssigned("t-init", TaskTypes.INIT_STAGE, 1, 120, 60,
        Json.tree(new InitStagePayload("e1", "dev", "e1-dev", "dbops:dev", 1, Map.of(), List.of(), 3600))));
    Frame.TaskResult init = session.nextResult(Duration.ofSeconds(120));
    assertThat(init.status()).as(init.error()).isEqualTo(TaskStatus.SUCCEEDED);
    session.send(new Frame.ResultAck("t-init"));
    InitStageOutput pod = Json.convert(init.output(), InitStageOutput.class);
    liteEnginePort = Integer.parseInt(pod.liteEngineAddress().substring(pod.liteEngineAddress().indexOf(':') + 1));
    assertThat(isListening(liteEnginePort)).isTrue();
    // the pod's two processes (a warm pod, DBOPS_LOCAL_WARM_PODS=1 by default, may be recorded too; the
    // revocation must stop it as well: records() is empty afterwards)
    assertThat(records()).filteredOn(p -> p.getFileName().toString().startsWith("e1-dev.")).hasSize(2);
    return session;
  }

  private List<Path> records() throws Exception {
    Path dir = work.resolve("state/pod-processes");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.toList();
    }
  }

  private static boolean isListening(int port) {
    try (Socket ignored = new Socket("127.0.0.1", port)) {
      return true;
    } catch (Exception e) {
      return false;
    }
  }
}
