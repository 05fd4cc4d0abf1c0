package io.dbops.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.dbops.agent.config.DelegateConfig;
import io.dbops.agent.config.KubernetesSettings;
import io.dbops.agent.connection.ControlPlaneConnection;
import io.dbops.protocol.CleanupStagePayload;
import io.dbops.protocol.ExecuteStepPayload;
import io.dbops.protocol.Frame;
import io.dbops.protocol.TaskStatus;
import io.dbops.protocol.TaskTypes;
import io.dbops.support.Json;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The delegate against a fake control plane on a real WebSocket. */
class DelegateIT {
  private static final String TOKEN = "dlg_s3cret-token-value";
  @TempDir Path stateDir;
  private FakeControlPlane controlPlane;
  private Delegate delegate;

  @BeforeEach
  void start() throws Exception {
    controlPlane = new FakeControlPlane().start();
  }

  @AfterEach
  void stop() throws Exception {
    if (delegate != null) {
      delegate.close();
    }
    controlPlane.close();
  }

  @Test
  void introducesItselfWithHelloAndConnectsOnWelcome() throws Exception {
    controlPlane.acceptNext();
    try (LogCapture logs = new LogCapture(ControlPlaneConnection.class)) {
      delegate = start(config(2, Duration.ofSeconds(5)));
      FakeControlPlane.Session session = controlPlane.nextSession();

      Frame.Hello hello = session.next(Frame.Hello.class);
      assertThat(hello.protocolVersion()).isEqualTo(Frame.PROTOCOL_VERSION);
      assertThat(hello.name()).isEqualTo("dc1");
      assertThat(hello.instanceId()).isEqualTo(delegate.instanceId());
      assertThat(hello.version()).isEqualTo("dev");
      assertThat(hello.tags()).containsExactly("eu", "prod");
      assertThat(hello.capacity()).isEqualTo(2);
      assertThat(hello.taskTypes()).containsExactlyElementsOf(TaskTypes.ALL);
      assertThat(session.authorization).containsExactly("Bearer " + TOKEN);
      assertThat(controlPlane.server.takeRequest().getPath()).isEqualTo("/api/v1/delegates/connect");

      session.welcome(15);
      assertThat(delegate.awaitConnected(Duration.ofSeconds(10))).isTrue();
      assertThat(delegate.isConnected()).isTrue();
      await().atMost(Duration.ofSeconds(5)).until(() -> logs.events().stream().anyMatch(e ->
          e.getFormattedMessage().equals("Connected to " + config(2, Duration.ofSeconds(5)).webSocketUrl()
              + " as dc1 (instance " + delegate.instanceId() + ")")));
    }
  }

  @Test
  void answersHeartbeatsSendsItsOwnAndReconnectsWhenThePeerFallsSilent() throws Exception {
    controlPlane.acceptNext();
    controlPlane.acceptNext();
    delegate = start(config(1, Duration.ofMillis(300)));
    FakeControlPlane.Session first = controlPlane.nextSession();
    first.next(Frame.Hello.class);
    first.welcome(1);

    first.send(new Frame.Heartbeat(7, 1234));
    Frame.HeartbeatAck ack = first.next(Frame.HeartbeatAck.class);
    assertThat(ack.seq()).isEqualTo(7);
    assertThat(ack.sentAtMillis()).isEqualTo(1234);
    assertThat(first.next(Frame.Heartbeat.class).seq()).isPositive();

    // The fake answers nothing more: after 3 silent intervals the delegate gives up on it.
    FakeControlPlane.Session second = controlPlane.nextSession();
    assertThat(second.next(Frame.Hello.class).instanceId()).isEqualTo(delegate.instanceId());
  }

  @Test
  void reconnectsWithBackoffWhenTheControlPlaneClosesTheSocket() throws Exception {
    controlPlane.acceptNext();
    controlPlane.acceptNext();
    try (LogCapture logs = new LogCapture(ControlPlaneConnection.class)) {
      delegate = start(config(1, Duration.ofMillis(300)));
      FakeControlPlane.Session first = controlPlane.nextSession();
      first.next(Frame.Hello.class);
      first.welcome(15);
      assertThat(delegate.awaitConnected(Duration.ofSeconds(10))).isTrue();

      first.closeFromServer();

      FakeControlPlane.Session second = controlPlane.nextSession();
      assertThat(second.next(Frame.Hello.class).instanceId()).isEqualTo(delegate.instanceId());
      second.welcome(15);
      assertThat(delegate.awaitConnected(Duration.ofSeconds(10))).isTrue();
      assertThat(logs.events()).anySatisfy(e -> {
        assertThat(e.getLevel()).isEqualTo(Level.WARN);
        assertThat(e.getFormattedMessage())
            .matches("Connection to .* lost: closed by the control plane \\(1001 control plane restarting\\);"
                + " reconnecting in \\d+ ms \\(attempt 1\\)");
      });
    }
  }

  @Test
  void resendsAResultAfterEveryReconnectUntilItIsAcknowledged() throws Exception {
    controlPlane.acceptNext();
    controlPlane.acceptNext();
    controlPlane.acceptNext();
    delegate = start(config(1, Duration.ofMillis(300)));
    FakeControlPlane.Session first = connect();

    first.send(new Frame.TaskOffer("t1", TaskTypes.CLEANUP_STAGE));
    assertThat(first.next(Frame.Claim.class).taskId()).isEqualTo("t1");
    first.send(new Frame.TaskAssigned("t1", TaskTypes.CLEANUP_STAGE, 1, 30, 60,
        Json.tree(new CleanupStagePayload("e1", "dev", "pod-unknown"))));
    Frame.TaskResult result = first.next(Frame.TaskResult.class);
    assertThat(result.taskId()).isEqualTo("t1");
    assertThat(result.status()).isEqualTo(TaskStatus.SUCCEEDED);

    first.closeFromServer(); // without acknowledging
    FakeControlPlane.Session second = connect();
    Frame.TaskResult resent = second.next(Frame.TaskResult.class);
    assertThat(resent).isEqualTo(result);
    second.send(new Frame.ResultAck("t1"));
    second.send(new Frame.Heartbeat(1, 1)); // ordered after the ack on the same socket
    second.next(Frame.HeartbeatAck.class);

    second.closeFromServer();
    FakeControlPlane.Session third = connect();
    third.send(new Frame.Heartbeat(2, 2));
    assertThat(third.next(Frame.HeartbeatAck.class).seq()).isEqualTo(2); // no task_result came first
  }

  @Test
  void neverClaimsMoreTasksThanItsCapacityAndTimesOutAHungTask() throws Exception {
    controlPlane.acceptNext();
    // A lite engine that accepts TCP connections and never answers: its calls hang until cancelled.
    try (ServerSocket hung = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      delegate = start(config(2, Duration.ofMillis(300)));
      FakeControlPlane.Session session = connect();
      for (int i = 1; i <= 5; i++) {
        session.send(new Frame.TaskOffer("t" + i, TaskTypes.EXECUTE_STEP));
      }
      assertThat(session.next(Frame.Claim.class).taskId()).isEqualTo("t1");
      assertThat(session.next(Frame.Claim.class).taskId()).isEqualTo("t2");
      assertThat(session.nextTaskFrame(500)).isNull();

      session.send(new Frame.TaskAssigned("t1", TaskTypes.EXECUTE_STEP, 1, 1, 60, stepPayload(hung.getLocalPort())));
      session.send(new Frame.ClaimRejected("t2", "already taken"));
      session.send(new Frame.TaskOffer("t3", TaskTypes.EXECUTE_STEP));
      assertThat(session.next(Frame.Claim.class).taskId()).isEqualTo("t3");
      session.send(new Frame.TaskOffer("t4", TaskTypes.EXECUTE_STEP));
      // t1 runs and t3 is claimed: full until t1 times out.
      Frame.TaskResult result = session.next(Frame.TaskResult.class);
      assertThat(result.taskId()).isEqualTo("t1");
      assertThat(result.status()).isEqualTo(TaskStatus.FAILED);
      // the task's timeout and the gRPC deadline (set to the same value) race; both say so
      assertThat(result.error()).contains("timed out after 1 s");

      session.send(new Frame.TaskOffer("t4", TaskTypes.EXECUTE_STEP));
      assertThat(session.next(Frame.Claim.class).taskId()).isEqualTo("t4");
    }
  }

  @Test
  void reportsAnUnreachableLiteEngineAsAFailedTaskWithoutOutput() throws Exception {
    controlPlane.acceptNext();
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    delegate = start(config(2, Duration.ofMillis(300)));
    FakeControlPlane.Session session = connect();
    session.send(new Frame.TaskOffer("t1", TaskTypes.EXECUTE_STEP));
    session.next(Frame.Claim.class);
    session.send(new Frame.TaskAssigned("t1", TaskTypes.EXECUTE_STEP, 1, 30, 60, stepPayload(closedPort)));

    Frame.TaskResult result = session.next(Frame.TaskResult.class);
    assertThat(result.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(result.error()).startsWith("Lite engine at 127.0.0.1:" + closedPort + " is unreachable: ");
    assertThat(result.output() == null || result.output().isNull()).isTrue();
  }

  @Test
  void logsOneClearErrorWhenTheTokenIsRefusedAndKeepsRetrying() throws Exception {
    for (int i = 0; i < 4; i++) {
      controlPlane.refuseNext();
    }
    try (LogCapture logs = new LogCapture(ControlPlaneConnection.class)) {
      delegate = start(config(1, Duration.ofMillis(200)));
      await().atMost(Duration.ofSeconds(10)).until(() -> controlPlane.server.getRequestCount() >= 3);

      List<ILoggingEvent> errors = logs.events().stream().filter(e -> e.getLevel() == Level.ERROR).toList();
      assertThat(errors).singleElement().satisfies(e -> assertThat(e.getFormattedMessage())
          .startsWith("Control plane at " + config(1, Duration.ofMillis(200)).webSocketUrl()
              + " refused the delegate token (HTTP 401): it is unknown or has been revoked. Check DBOPS_TOKEN"));
      assertThat(logs.events()).noneMatch(e -> e.getFormattedMessage().contains(TOKEN));
      assertThat(delegate.isConnected()).isFalse();
    }
  }

  @Test
  void runsTheKubernetesRuntimeAndSweepsLeftoversAtStart() throws Exception {
    DelegateConfig config = DelegateConfig.builder().serverUrl(controlPlane.url()).token(TOKEN).name("dc1")
        .capacity(1).runtime("kubernetes").stateDir(stateDir).tls(DelegateConfig.Tls.INSECURE)
        .endpoints(DelegateConfig.Endpoints.loopbackFreePort())
        .kubernetes(new KubernetesSettings("builds", null, null)).build();
    var kubernetes = new io.fabric8.kubernetes.client.server.mock.KubernetesMockServer(
        new io.fabric8.mockwebserver.Context(), new io.fabric8.mockwebserver.MockWebServer(), new java.util.HashMap<>(),
        new io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher(), false);
    kubernetes.init(java.net.InetAddress.getLoopbackAddress(), 0);
    try (var admin = kubernetes.createClient()) {
      // a pod a killed instance of this delegate left behind, its lease long lapsed
      admin.pods().inNamespace("builds").resource(new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata()
          .withName("left-behind").addToLabels("dbops.io/delegate", "dc1")
          .addToAnnotations("dbops.io/lease-expires", "2020-01-01T00:00:00Z").endMetadata().withNewSpec()
          .addNewContainer().withName("c").withImage("i").endContainer().endSpec().build()).create();
      controlPlane.acceptNext();
      delegate = new Delegate(config, name -> null, kubernetes::createClient);
      delegate.start();
      connect();

      assertThat(delegate.awaitConnected(Duration.ofSeconds(10))).isTrue();
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
          .until(() -> admin.pods().inNamespace("builds").withName("left-behind").get() == null);
    } finally {
      kubernetes.destroy();
    }
  }

  private FakeControlPlane.Session connect() throws InterruptedException {
    FakeControlPlane.Session session = controlPlane.nextSession();
    session.next(Frame.Hello.class);
    session.welcome(15);
    return session;
  }

  private Delegate start(DelegateConfig config) {
    Delegate d = new Delegate(config, name -> null);
    d.start();
    return d;
  }

  private DelegateConfig config(int capacity, Duration maxBackoff) {
    return controlPlane.config(TOKEN, stateDir, capacity, maxBackoff);
  }

  private static com.fasterxml.jackson.databind.JsonNode stepPayload(int liteEnginePort) {
    return Json.tree(new ExecuteStepPayload("e1", "dev", "apply", "pod-1", "127.0.0.1:" + liteEnginePort, 20002,
        new ExecuteStepPayload.StepSpec("apply", "changelog.xml", FakeControlPlane.CHANGELOG_DIR, "jdbc:h2:mem:x", null, null, null, null,
            null, 0, Map.of(), null),
        new ExecuteStepPayload.LogStreamRef("http://127.0.0.1:1", "executions/e1/stages/dev/steps/apply", "log")));
  }
}
