package io.dbops.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.testsupport.FaultyProxy;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The delegate ⇄ control plane promises of docs/protocol.md, with every part its own process of
 * the distribution: nothing is lost across cut connections, killed delegates and restarted
 * control planes, and a delegate never runs more than its capacity.
 */
class DeliveryIT {
  private static final Duration DONE = Duration.ofSeconds(120);

  @TempDir Path work;

  @Test
  void everyTaskCompletesExactlyOnceWhileTheConnectionIsCutAgainAndAgain() throws Exception {
    try (Cluster cluster = new Cluster(work)) {
      Cluster.Server server = cluster.server("cp", 0, Map.of());
      try (FaultyProxy proxy = new FaultyProxy("127.0.0.1", port(server.url()))) {
        Cluster.Delegate delegate = cluster.delegate("http://127.0.0.1:" + proxy.port(),
            server.api().createToken("cut"), "cut", "d1", Map.of("DBOPS_CAPACITY", "10"));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
          ids.add(server.api().submitNoop(400, 120));
        }
        ScheduledExecutorService cutter = Executors.newSingleThreadScheduledExecutor();
        cutter.scheduleAtFixedRate(proxy::cutAll, 300, 700, TimeUnit.MILLISECONDS);
        try {
          await().atMost(Duration.ofSeconds(8)).until(() -> proxy.cuts() >= 8);
        } finally {
          cutter.shutdownNow();
        }

        awaitAllSucceeded(server.api(), ids);
        for (String id : ids) {
          // 2 when the assignment was cut in transit: the task never reached the delegate and was
          // queued again on its re-announce
          assertThat(server.api().task(id).get("attempt").asInt()).as("attempt of %s", id).isBetween(1, 2);
        }
        // exactly once on the delegate's side: 40 tasks succeeded, 40 runs, none failed or repeated
        assertThat(Metrics.value(delegate.endpointsPort(), "dbops_delegate_tasks_succeeded_total")).isEqualTo(40.0);
        assertThat(Metrics.value(delegate.endpointsPort(), "dbops_delegate_tasks_failed_total")).isZero();
        assertThat(proxy.accepted()).as("reconnections through the proxy").isGreaterThan(3);
      }
    }
  }

  @Test
  void aKilledDelegatesLapsedLeaseIsRecoveredAndItsTaskRunsAgainElsewhere() throws Exception {
    try (Cluster cluster = new Cluster(work)) {
      Cluster.Server server = cluster.server("cp", 0, Map.of("DBOPS_LEASE_SECONDS", "3", "DBOPS_SWEEP_MILLIS", "200"));
      String token = server.api().createToken("kill");
      Cluster.Delegate first = cluster.delegate(server.url(), token, "kill", "first", Map.of());
      String id = server.api().submitNoop(5_000, 120);
      await().atMost(DONE).until(() -> "RUNNING".equals(server.api().task(id).get("status").asText()));

      first.process().kill9();
      cluster.delegate(server.url(), token, "kill", "second", Map.of());

      JsonNode task = awaitFinished(server.api(), id);
      assertThat(task.get("status").asText()).isEqualTo("SUCCEEDED");
      assertThat(task.get("attempt").asInt()).as("noop tasks are offered again after a lost lease").isEqualTo(2);
    }
  }

  @Test
  void aResultLeftInTheOutboxOfAKilledDelegateIsDeliveredByItsSuccessor() throws Exception {
    try (Cluster cluster = new Cluster(work)) {
      Cluster.Server server = cluster.server("cp", 0, Map.of());
      String token = server.api().createToken("outbox");
      try (FaultyProxy proxy = new FaultyProxy("127.0.0.1", port(server.url()))) {
        Cluster.Delegate first = cluster.delegate("http://127.0.0.1:" + proxy.port(), token, "outbox", "state", Map.of());
        String id = server.api().submitNoop(1_500, 120);
        await().atMost(DONE).until(() -> "RUNNING".equals(server.api().task(id).get("status").asText()));
        proxy.setRefusing(true);
        proxy.cutAll();

        Path outbox = work.resolve("state/outbox");
        await().atMost(Duration.ofSeconds(30)).until(() -> resultFiles(outbox) > 0);
        first.process().kill9();
        assertThat(server.api().task(id).get("status").asText()).isEqualTo("RUNNING");

        cluster.delegate(server.url(), token, "outbox", "state", Map.of());

        JsonNode task = awaitFinished(server.api(), id);
        assertThat(task.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(task.get("attempt").asInt()).as("delivered from the outbox, not run again").isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> resultFiles(outbox) == 0);
      }
    }
  }

  @Test
  void resultsOfTasksThatFinishedWhileTheControlPlaneWasDownAreDeliveredAfterItsRestart() throws Exception {
    int port = freePort();
    try (Cluster cluster = new Cluster(work)) {
      Cluster.Server server = cluster.server("cp", port, Map.of());
      String token = server.api().createToken("restart");
      Cluster.Delegate delegate = cluster.delegate(server.url(), token, "restart", "d", Map.of());
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        ids.add(server.api().submitNoop(2_500, 120));
      }
      await().atMost(DONE).until(() -> allHaveStatus(server.api(), ids, "RUNNING"));

      assertThat(server.process().terminate(Duration.ofSeconds(30))).isZero();
      await().atMost(Duration.ofSeconds(30)).until(() -> resultFiles(work.resolve("d/outbox")) == 5);
      Cluster.Server restarted = cluster.server("cp", port, Map.of());

      awaitAllSucceeded(restarted.api(), ids);
      for (String id : ids) {
        assertThat(restarted.api().task(id).get("attempt").asInt()).isEqualTo(1);
      }
      assertThat(delegate.process().isAlive()).isTrue();
    }
  }

  @Test
  void aDelegateOfCapacityFiftyNeverRunsMoreThanFiftyOfTwoHundredTasks() throws Exception {
    try (Cluster cluster = new Cluster(work)) {
      Cluster.Server server = cluster.server("cp", 0, Map.of());
      cluster.delegate(server.url(), server.api().createToken("bp"), "bp", "d", Map.of("DBOPS_CAPACITY", "50"));
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        ids.add(server.api().submitNoop(300, 120));
      }

      awaitAllSucceeded(server.api(), ids);

      List<Instant[]> intervals = new ArrayList<>();
      for (String id : ids) {
        JsonNode t = server.api().task(id);
        intervals.add(new Instant[] {Instant.parse(t.get("startedAt").asText()), Instant.parse(t.get("finishedAt").asText())});
      }
      int most = maxOverlap(intervals);
      assertThat(most).as("tasks held by the delegate at once").isLessThanOrEqualTo(50).isGreaterThan(10);
    }
  }

  @Test
  void sigtermLetsRunningTasksFinishThenTheDelegateUnregistersAndExitsZero() throws Exception {
    try (Cluster cluster = new Cluster(work)) {
      Cluster.Server server = cluster.server("cp", 0, Map.of());
      Cluster.Delegate delegate = cluster.delegate(server.url(), server.api().createToken("drain"), "drain", "d",
          Map.of("DBOPS_DRAIN_SECONDS", "30"));
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        ids.add(server.api().submitNoop(10_000, 120));
      }
      await().atMost(DONE).until(() -> allHaveStatus(server.api(), ids, "RUNNING"));
      // RUNNING on the control plane means assigned; an assignment the delegate has not taken in yet
      // when the drain starts is handed back (by design), so wait until the delegate runs all three.
      await().atMost(DONE).until(() -> Metrics.value(delegate.endpointsPort(), "dbops_delegate_tasks_running") == 3.0);

      assertThat(delegate.process().terminate(Duration.ofSeconds(60))).isZero();

      for (String id : ids) {
        JsonNode task = server.api().task(id);
        assertThat(task.get("status").asText()).as(task.toString()).isEqualTo("SUCCEEDED");
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> server.api().delegates().isEmpty());
    }
  }

  @Test
  void theLongPollTransportRunsTasksLikeTheWebSocket() throws Exception {
    try (Cluster cluster = new Cluster(work)) {
      Cluster.Server server = cluster.server("cp", 0, Map.of());
      cluster.delegate(server.url(), server.api().createToken("lp"), "lp", "d",
          Map.of("DBOPS_TRANSPORT", "long-poll"));
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        ids.add(server.api().submitNoop(100, 60));
      }

      awaitAllSucceeded(server.api(), ids);
      assertThat(server.api().delegates().get(0).get("transport").asText()).isEqualTo("long-poll");
    }
  }

  static int maxOverlap(List<Instant[]> intervals) {
    List<long[]> events = new ArrayList<>();
    for (Instant[] i : intervals) {
      events.add(new long[] {i[0].toEpochMilli(), 1});
      events.add(new long[] {i[1].toEpochMilli(), -1});
    }
    // ends before starts at the same millisecond: a slot freed and reused is not an overlap
    events.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
    int now = 0;
    int most = 0;
    for (long[] e : events) {
      now += (int) e[1];
      most = Math.max(most, now);
    }
    return most;
  }

  static void awaitAllSucceeded(ControlPlaneHttp api, List<String> ids) {
    await().atMost(DONE).pollInterval(Duration.ofMillis(250)).until(() -> allHaveStatus(api, ids, "SUCCEEDED"));
  }

  static boolean allHaveStatus(ControlPlaneHttp api, List<String> ids, String status) throws Exception {
    for (String id : ids) {
      String actual = api.task(id).get("status").asText();
      if ("FAILED".equals(actual) && !"FAILED".equals(status)) {
        throw new AssertionError("Task " + id + " failed: " + api.task(id));
      }
      if (!status.equals(actual)) {
        return false;
      }
    }
    return true;
  }

  static JsonNode awaitFinished(ControlPlaneHttp api, String id) {
    return await().atMost(DONE).pollInterval(Duration.ofMillis(250)).until(() -> api.task(id),
        t -> "SUCCEEDED".equals(t.get("status").asText()) || "FAILED".equals(t.get("status").asText()));
  }

  static long resultFiles(Path outbox) throws Exception {
    if (!Files.isDirectory(outbox)) {
      return 0;
    }
    try (Stream<Path> files = Files.list(outbox)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".json")).count();
    }
  }

  static int port(String url) {
    return Integer.parseInt(url.substring(url.lastIndexOf(':') + 1).replaceAll("/.*", ""));
  }

  static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
