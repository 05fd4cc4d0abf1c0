package io.dbops.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import io.dbops.agent.config.DelegateConfig;
import io.dbops.agent.connection.ControlPlaneConnection;
import io.dbops.protocol.Frame;
import io.dbops.protocol.TaskStatus;
import io.dbops.protocol.TaskTypes;
import io.dbops.support.Json;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The same session over DBOPS_TRANSPORT=long-poll against scripted HTTP endpoints. */
class LongPollIT {
  private static final String TOKEN = "dlg_poll-token";
  @TempDir Path stateDir;
  private FakePollControlPlane controlPlane;
  private Delegate delegate;

  @BeforeEach
  void startControlPlane() throws Exception {
    controlPlane = new FakePollControlPlane().start();
  }

  @AfterEach
  void stop() throws Exception {
    if (delegate != null) {
      delegate.close();
    }
    controlPlane.close();
  }

  @Test
  void runsATaskAndDrainsOverLongPoll() throws Exception {
    delegate = start();
    assertThat(delegate.awaitConnected(Duration.ofSeconds(10))).isTrue();
    assertThat(controlPlane.hellos).singleElement().satisfies(h -> assertThat(h.instanceId())
        .isEqualTo(delegate.instanceId()));
    assertThat(controlPlane.server.takeRequest().getHeader("Authorization")).isEqualTo("Bearer " + TOKEN);

    controlPlane.toDelegate.add(new Frame.TaskOffer("t1", TaskTypes.NOOP));
    assertThat(controlPlane.next(Frame.Claim.class).taskId()).isEqualTo("t1");
    controlPlane.toDelegate.add(new Frame.TaskAssigned("t1", TaskTypes.NOOP, 1, 30, 60, Json.tree(Map.of())));
    Frame.TaskResult result = controlPlane.next(Frame.TaskResult.class);
    assertThat(result.status()).isEqualTo(TaskStatus.SUCCEEDED);
    controlPlane.toDelegate.add(new Frame.ResultAck("t1"));
    await().atMost(Duration.ofSeconds(5)).until(() -> !java.nio.file.Files.list(stateDir.resolve("outbox"))
        .findAny().isPresent());

    delegate.drain(Duration.ofSeconds(1));

    controlPlane.next(Frame.Draining.class);
    controlPlane.next(Frame.Goodbye.class);
    assertThat(controlPlane.deleted).containsExactly("s1");
  }

  @Test
  void startsANewSessionWhenTheOldOneExpiredAndReannouncesItsTasks() throws Exception {
    delegate = start();
    assertThat(delegate.awaitConnected(Duration.ofSeconds(10))).isTrue();
    controlPlane.toDelegate.add(new Frame.TaskOffer("t1", TaskTypes.NOOP));
    controlPlane.next(Frame.Claim.class);
    controlPlane.toDelegate.add(new Frame.TaskAssigned("t1", TaskTypes.NOOP, 1, 60, 60,
        Json.tree(Map.of("sleepMillis", 30_000))));
    await().atMost(Duration.ofSeconds(5)).until(() -> Endpoints.get(delegate.endpointsPort(), "/metrics").body()
        .contains("dbops_delegate_tasks_running 1.0"));

    controlPlane.expireSession();

    await().atMost(Duration.ofSeconds(10)).until(() -> controlPlane.hellos.size() == 2);
    assertThat(controlPlane.hellos.get(1).running()).containsExactly(new Frame.RunningTask("t1", 1));
    assertThat(delegate.awaitConnected(Duration.ofSeconds(10))).isTrue();
  }

  @Test
  void logsOneErrorWhenTheTokenIsRefused() throws Exception {
    controlPlane.refusals.set(3);
    try (LogCapture logs = new LogCapture(ControlPlaneConnection.class)) {
      delegate = start();
      await().atMost(Duration.ofSeconds(10)).until(() -> controlPlane.server.getRequestCount() >= 3);

      assertThat(logs.events()).filteredOn(e -> e.getLevel() == Level.ERROR).singleElement()
          .satisfies(e -> assertThat(e.getFormattedMessage()).startsWith("Control plane at "
              + URI.create(controlPlane.url() + "api/v1/delegates/poll/sessions")
              + " refused the delegate token (HTTP 401): it is unknown or has been revoked."));
      assertThat(delegate.isConnected()).isFalse();
    }
  }

  private Delegate start() {
    DelegateConfig config = DelegateConfig.builder().serverUrl(controlPlane.url()).token(TOKEN).name("dc1")
        .capacity(2).runtime("local").stateDir(stateDir).podProcessCommand(List.of("false"))
        .heartbeatInterval(Duration.ofSeconds(15)).maxBackoff(Duration.ofMillis(300))
        .podReadyTimeout(Duration.ofSeconds(10)).transport(DelegateConfig.TRANSPORT_LONG_POLL)
        .tls(DelegateConfig.Tls.INSECURE).endpoints(DelegateConfig.Endpoints.loopbackFreePort()).build();
    Delegate d = new Delegate(config, name -> null);
    d.start();
    return d;
  }
}
