package io.dbops.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dbops.api.TokenCreated;
import io.dbops.controlplane.config.ControlPlaneConfig;
import io.dbops.protocol.Frame;
import io.dbops.testsupport.TestDatabase;
import io.dbops.testsupport.TestDatabases;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two control plane replicas on one PostgreSQL database, delegates connected to both. */
class ReplicasIT {
  @TempDir Path dataDir;

  @Test
  void twoReplicasNeverHandOneTaskToTwoDelegatesAndOfferTasksQueuedThroughTheOther()
      throws Exception {
    try (TestDatabase db = TestDatabases.create(TestDatabases.Kind.POSTGRES)) {
      ControlPlaneConfig config = Fixtures.builder(dataDir)
          .database(db.jdbcUrl(), db.username(), db.password()).periods(500, 500).build();
      try (ControlPlane a = new ControlPlane(config); ControlPlane b = new ControlPlane(config)) {
        a.start();
        b.start();
        TestClient clientA = TestClient.of(a);
        TestClient clientB = TestClient.of(b);
        String token = clientA.post("/api/v1/tokens", "{\"name\":\"r\"}").as(TokenCreated.class).token();
        List<TestDelegate> delegates = new ArrayList<>();
        try {
          TestDelegate onB = new TestDelegate("inst-b1");
          delegates.add(onB);
          onB.connect(clientB.http, b.baseUrl(), token, 5, List.of());

          long t0 = System.nanoTime();
          String first = clientA.post("/api/v1/tasks", Map.of("type", "noop")).json().get("id").asText();
          assertThat(onB.expect(Frame.TaskOffer.class).taskId()).isEqualTo(first);
          long offeredAfterMillis = (System.nanoTime() - t0) / 1_000_000;
          assertThat(offeredAfterMillis).as("offered through the other replica's scan")
              .isLessThan(1_500);

          onB.runWith(LeasesAndRoutingIT::ok);
          for (String id : List.of("inst-a1", "inst-a2")) {
            TestDelegate d = new TestDelegate(id);
            delegates.add(d);
            d.connect(clientA.http, a.baseUrl(), token, 5, List.of());
            d.runWith(LeasesAndRoutingIT::ok);
          }
          int n = 150;
          for (int i = 0; i < n; i++) {
            TestClient c = i % 2 == 0 ? clientA : clientB;
            assertThat(c.post("/api/v1/tasks", Map.of("type", "noop")).code()).isEqualTo(201);
          }
          await().atMost(Duration.ofSeconds(60)).until(() ->
              db.queryLong("SELECT COUNT(*) FROM tasks WHERE status = 'SUCCEEDED'") == n + 1);

          Map<String, String> ranOn = new HashMap<>();
          int assignments = 0;
          for (TestDelegate d : delegates) {
            for (Frame.TaskAssigned assigned : d.assigned) {
              assignments++;
              String other = ranOn.put(assigned.taskId(), d.instanceId);
              assertThat(other).as("task " + assigned.taskId() + " assigned twice").isNull();
            }
          }
          assertThat(assignments).isEqualTo(n + 1);
          assertThat(db.queryLong("SELECT COUNT(*) FROM tasks WHERE attempt <> 1")).isZero();
          assertThat(delegates).allSatisfy(d -> assertThat(d.assigned).isNotEmpty());
        } finally {
          delegates.forEach(TestDelegate::close);
        }
      }
    }
  }
}
