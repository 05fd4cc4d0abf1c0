package io.dbops.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dbops.protocol.Frame;
import io.dbops.protocol.TaskTypes;
import io.dbops.support.Json;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /healthz, /readyz and /metrics of a running delegate. */
class EndpointsIT {
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
  void servesHealthReadinessAndPrometheusMetrics() throws Exception {
    controlPlane.acceptNext();
    delegate = new Delegate(controlPlane.config("dlg_t", stateDir, 2, Duration.ofMillis(300)), name -> null);
    delegate.start();
    int port = delegate.endpointsPort();
    FakeControlPlane.Session session = controlPlane.nextSession();
    session.next(Frame.Hello.class);

    assertThat(Endpoints.get(port, "/healthz").statusCode()).isEqualTo(200);
    HttpResponse<String> notReady = Endpoints.get(port, "/readyz");
    assertThat(notReady.statusCode()).isEqualTo(503);
    assertThat(notReady.body()).startsWith("not connected to ws://");

    session.welcome(1);
    assertThat(delegate.awaitConnected(Duration.ofSeconds(5))).isTrue();
    assertThat(Endpoints.get(port, "/readyz").statusCode()).isEqualTo(200);
    Frame.Heartbeat beat = session.next(Frame.Heartbeat.class);
    session.send(new Frame.HeartbeatAck(beat.seq(), beat.sentAtMillis()));
    session.send(new Frame.TaskOffer("t1", TaskTypes.NOOP));
    session.next(Frame.Claim.class);
    session.send(new Frame.TaskAssigned("t1", TaskTypes.NOOP, 1, 60, 60, Json.tree(Map.of())));
    session.nextResult(Duration.ofSeconds(5));
    session.send(new Frame.ClaimRejected("t9", "already taken"));

    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(Endpoints.get(port, "/metrics").body())
        .contains("dbops_delegate_connected 1.0")
        .contains("dbops_delegate_reconnects_total 0.0")
        .contains("dbops_delegate_heartbeat_round_trip_seconds_count 1")
        .contains("dbops_delegate_tasks_claimed_total 1.0")
        .contains("dbops_delegate_tasks_running 0.0")
        .contains("dbops_delegate_tasks_succeeded_total 1.0")
        .contains("dbops_delegate_tasks_failed_total 0.0")
        .contains("dbops_delegate_tasks_rejected_total 1.0")
        .contains("dbops_delegate_task_duration_seconds_count{type=\"noop\"} 1"));
  }
}
