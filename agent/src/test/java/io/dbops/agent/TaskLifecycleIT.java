package io.dbops.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import io.dbops.agent.config.DelegateConfig;
import io.dbops.agent.task.TaskRunner;
import io.dbops.protocol.ExecuteStepPayload;
import io.dbops.protocol.Frame;
import io.dbops.protocol.TaskStatus;
import io.dbops.protocol.TaskTypes;
import io.dbops.support.Json;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Outbox, leases, re-announce, abort, noop, reachability and revocation over a real WebSocket. */
class TaskLifecycleIT {
  private static final String TOKEN = "dlg_lifecycle-token";
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
  void aResultLeftUnacknowledgedIsDeliveredByTheNextDelegateOnTheSameStateDirectory() throws Exception {
    controlPlane.acceptNext();
    controlPlane.acceptNext();
    delegate = start(1);
    FakeControlPlane.Session first = connect();
    Frame.TaskResult result = runNoop(first, "t1", 0);
    assertThat(outboxFiles()).hasSize(1);
    delegate.close();

    delegate = start(1);
    FakeControlPlane.Session second = connect();
    assertThat(second.next(Frame.TaskResult.class)).isEqualTo(result);
    second.send(new Frame.ResultAck("t1"));
    await().atMost(Duration.ofSeconds(5)).until(() -> outboxFiles().isEmpty());
  }

  @Test
  void renewsLeasesReannouncesRunningTasksAfterAReconnectAndStopsAnAbortedTask() throws Exception {
    controlPlane.acceptNext();
    controlPlane.acceptNext();
    delegate = start(2);
    FakeControlPlane.Session first = controlPlane.nextSession();
    assertThat(first.next(Frame.Hello.class).running()).isEmpty();
    first.welcome(1);
    first.send(new Frame.TaskOffer("t1", TaskTypes.NOOP));
    first.next(Frame.Claim.class);
    first.send(new Frame.TaskAssigned("t1", TaskTypes.NOOP, 3, 120, 60, Json.tree(Map.of("sleepMillis", 60_000))));

    assertThat(first.next(Frame.LeaseRenew.class).taskIds()).containsExactly("t1");

    first.closeFromServer();
    FakeControlPlane.Session second = controlPlane.nextSession();
    assertThat(second.next(Frame.Hello.class).running()).containsExactly(new Frame.RunningTask("t1", 3));
    second.welcome(15);
    assertThat(delegate.awaitConnected(Duration.ofSeconds(5))).isTrue();
    second.send(new Frame.Abort("t1", "lease of this instance lapsed"));

    Frame.TaskResult result = second.nextResult(Duration.ofSeconds(5));
    assertThat(result.taskId()).isEqualTo("t1");
    assertThat(result.attempt()).isEqualTo(3);
    assertThat(result.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(result.error()).isEqualTo("aborted: lease of this instance lapsed");
  }

  @Test
  void anAbortCancelsAHangingLiteEngineCall() throws Exception {
    controlPlane.acceptNext();
    try (ServerSocket hung = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      delegate = start(1);
      FakeControlPlane.Session session = connect();
      session.send(new Frame.TaskOffer("t1", TaskTypes.EXECUTE_STEP));
      session.next(Frame.Claim.class);
      session.send(new Frame.TaskAssigned("t1", TaskTypes.EXECUTE_STEP, 1, 120, 60, stepPayload(hung.getLocalPort())));
      await().atMost(Duration.ofSeconds(5)).until(() -> runningCount() == 1);

      session.send(new Frame.Abort("t1", "cancelled by alice"));

      Frame.TaskResult result = session.nextResult(Duration.ofSeconds(5));
      assertThat(result.error()).isEqualTo("aborted: cancelled by alice");
      // the slot is free again
      session.send(new Frame.TaskOffer("t2", TaskTypes.NOOP));
      assertThat(session.next(Frame.Claim.class).taskId()).isEqualTo("t2");
    }
  }

  @Test
  void runsANoopTask() throws Exception {
    controlPlane.acceptNext();
    delegate = start(1);
    FakeControlPlane.Session session = connect();

    Frame.TaskResult result = runNoop(session, "t1", 50);

    assertThat(result.status()).isEqualTo(TaskStatus.SUCCEEDED);
    assertThat(result.output().isObject()).isTrue();
    assertThat(result.output().size()).isZero();
  }

  @Test
  void checksReachabilityBeforeClaimingAndDeclinesAnUnreachableTarget() throws Exception {
    controlPlane.acceptNext();
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    try (ServerSocket open = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      delegate = new Delegate(controlPlane.config(TOKEN, stateDir, 2, Duration.ofMillis(300)).toBuilder()
          .allowlists(io.dbops.agent.policy.Allowlists.of(Map.of("DBOPS_ALLOW_HOSTS", "127.0.0.1:*",
              "DBOPS_ALLOW_CHANGELOG_DIRS", FakeControlPlane.CHANGELOG_DIR))).build(),
          name -> null);
      delegate.start();
      FakeControlPlane.Session session = connect();

      session.send(new Frame.TaskOffer("t1", TaskTypes.NOOP, "127.0.0.1:" + closedPort));
      Frame.ClaimDeclined declined = session.next(Frame.ClaimDeclined.class);
      assertThat(declined.taskId()).isEqualTo("t1");
      assertThat(declined.reason()).startsWith("cannot reach 127.0.0.1:" + closedPort + ": ");

      session.send(new Frame.TaskOffer("t2", TaskTypes.NOOP, "127.0.0.1:" + open.getLocalPort()));
      assertThat(session.next(Frame.Claim.class).taskId()).isEqualTo("t2");
    }
  }

  @Test
  void aRevokedTokenStopsClaimingWithOneLogLineWhileRunningTasksFinish() throws Exception {
    controlPlane.acceptNext();
    try (LogCapture logs = new LogCapture(TaskRunner.class)) {
      delegate = start(2);
      FakeControlPlane.Session session = connect();
      session.send(new Frame.TaskOffer("t1", TaskTypes.NOOP));
      session.next(Frame.Claim.class);
      // 5 s: the task must still run when the revocation arrives, after the first (cold) metrics poll,
      // which took over 1 s at load 14.
      session.send(new Frame.TaskAssigned("t1", TaskTypes.NOOP, 1, 60, 60, Json.tree(Map.of("sleepMillis", 5000))));
      await().atMost(Duration.ofSeconds(5)).until(() -> runningCount() == 1);

      session.send(new Frame.Revoked("token dlg_… was revoked"));
      session.send(new Frame.Revoked("token dlg_… was revoked"));
      session.send(new Frame.TaskOffer("t2", TaskTypes.NOOP));

      Frame.TaskResult result = session.nextResult(Duration.ofSeconds(30)); // no claim of t2 came first
      assertThat(result.taskId()).isEqualTo("t1");
      assertThat(result.status()).isEqualTo(TaskStatus.SUCCEEDED);
      assertThat(logs.events()).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.INFO)
              && e.getFormattedMessage().startsWith("Token revoked"))
          .singleElement().satisfies(e -> assertThat(e.getFormattedMessage()).isEqualTo(
              "Token revoked by the control plane: finishing 1 running task(s), claiming no more work"));
      assertThat(delegate.readiness().ready()).isFalse();
      assertThat(delegate.readiness().reason()).isEqualTo("the control plane revoked the delegate token");
      session.send(new Frame.TaskOffer("t3", TaskTypes.NOOP));
      assertThat(session.nextTaskFrame(300)).isNull();
    }
  }

  private int runningCount() {
    try {
      String metrics = Endpoints.get(delegate.endpointsPort(), "/metrics").body();
      return (int) Double.parseDouble(metrics.lines().filter(l -> l.startsWith("dbops_delegate_tasks_running "))
          .findFirst().orElseThrow().split(" ")[1]);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private Frame.TaskResult runNoop(FakeControlPlane.Session session, String id, int sleepMillis) throws Exception {
    session.send(new Frame.TaskOffer(id, TaskTypes.NOOP));
    assertThat(session.next(Frame.Claim.class).taskId()).isEqualTo(id);
    session.send(new Frame.TaskAssigned(id, TaskTypes.NOOP, 1, 30, 60, Json.tree(Map.of("sleepMillis", sleepMillis))));
    return session.nextResult(Duration.ofSeconds(10));
  }

  private List<Path> outboxFiles() throws Exception {
    Path dir = stateDir.resolve("outbox");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (var files = Files.list(dir)) {
      return files.toList();
    }
  }

  private FakeControlPlane.Session connect() throws InterruptedException {
    FakeControlPlane.Session session = controlPlane.nextSession();
    session.next(Frame.Hello.class);
    session.welcome(15);
    return session;
  }

  private Delegate start(int capacity) {
    DelegateConfig config = controlPlane.config(TOKEN, stateDir, capacity, Duration.ofMillis(300));
    Delegate d = new Delegate(config, name -> null);
    d.start();
    return d;
  }

  static com.fasterxml.jackson.databind.JsonNode stepPayload(int liteEnginePort) {
    return Json.tree(new ExecuteStepPayload("e1", "dev", "apply", "pod-1", "127.0.0.1:" + liteEnginePort, 20002,
        new ExecuteStepPayload.StepSpec("apply", "changelog.xml", FakeControlPlane.CHANGELOG_DIR, "jdbc:h2:mem:x", null, null, null, null,
            null, 0, Map.of(), null),
        new ExecuteStepPayload.LogStreamRef("http://127.0.0.1:1", "executions/e1/stages/dev/steps/apply", "log")));
  }
}
