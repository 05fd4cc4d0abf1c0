package io.dbops.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.api.ApiError;
import io.dbops.api.LogPage;
import io.dbops.api.TokenCreated;
import io.dbops.logship.AppendRequest;
import io.dbops.logship.LogLine;
import io.dbops.protocol.Frame;
import io.dbops.protocol.TaskStatus;
import io.dbops.protocol.TaskTypes;
import io.dbops.support.Json;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QueueAndLogsIT {
  @TempDir Path dataDir;
  ControlPlane controlPlane;
  TestClient client;
  String token;

  @BeforeEach
  void start() {
    controlPlane = new ControlPlane(Fixtures.config(dataDir));
    controlPlane.start();
    client = TestClient.of(controlPlane);
    token = client.post("/api/v1/tokens", "{\"name\":\"d\"}").as(TokenCreated.class).token();
  }

  @AfterEach
  void stop() {
    controlPlane.close();
  }

  long count(String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(
            "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("controlplane"));
        ResultSet rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  String text(String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(
            "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("controlplane"));
        ResultSet rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  String submitOneStep() {
    return OrchestrationIT.submit(client, Fixtures.pipeline("p", Fixtures.step("apply", "apply")));
  }

  @Test
  void onlyOneOfTwoRacingDelegatesGetsTheTask() throws Exception {
    try (TestDelegate a = new TestDelegate("inst-a"); TestDelegate b = new TestDelegate("inst-b")) {
      a.connect(client.http, controlPlane.baseUrl(), token, 1, List.of());
      b.connect(client.http, controlPlane.baseUrl(), token, 1, List.of());
      submitOneStep();
      String taskId = a.expect(Frame.TaskOffer.class).taskId();
      assertThat(b.expect(Frame.TaskOffer.class).taskId()).isEqualTo(taskId);
      a.send(new Frame.Claim(taskId));
      b.send(new Frame.Claim(taskId));

      Set<String> outcomes = new HashSet<>();
      for (TestDelegate d : List.of(a, b)) {
        Frame reply = d.expectAny(Frame.TaskAssigned.class, Frame.ClaimRejected.class);
        outcomes.add(reply instanceof Frame.ClaimRejected r ? "rejected: " + r.reason() : "assigned");
      }
      assertThat(outcomes).containsExactlyInAnyOrder("assigned", "rejected: already taken");
      assertThat(count("SELECT COUNT(*) FROM tasks WHERE status = 'RUNNING'")).isEqualTo(1);
    }
  }

  @Test
  void neverAssignsMoreThanTheDelegatesCapacity() throws Exception {
    try (TestDelegate d = new TestDelegate("inst-c")) {
      d.connect(client.http, controlPlane.baseUrl(), token, 1, List.of());
      submitOneStep();
      submitOneStep();
      // a delegate is offered at most its free capacity per dispatch pass: here one task
      String firstOffered = d.expect(Frame.TaskOffer.class).taskId();
      // the orchestrator queues each execution's first task asynchronously
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
          .until(() -> count("SELECT COUNT(*) FROM tasks") == 2);
      List<String> ids = List.of(firstOffered, text("SELECT id FROM tasks WHERE id <> '"
          + firstOffered + "'"));
      d.send(new Frame.Claim(ids.get(0)));
      Frame.TaskAssigned assigned = d.expect(Frame.TaskAssigned.class);
      assertThat(assigned.taskId()).isEqualTo(ids.get(0));
      d.send(new Frame.Claim(ids.get(1)));
      assertThat(d.expect(Frame.ClaimRejected.class).reason()).isEqualTo("over capacity");
      // a duplicate claim of the held task is answered with the same assignment
      d.send(new Frame.Claim(ids.get(0)));
      assertThat(d.expect(Frame.TaskAssigned.class).taskId()).isEqualTo(ids.get(0));
      assertThat(client.get("/api/v1/delegates").json().get(0).get("running").asInt()).isEqualTo(1);
    }
  }

  @Test
  void storesADuplicateResultOnceAndAcknowledgesBoth() throws Exception {
    try (TestDelegate d = new TestDelegate("inst-d")) {
      d.connect(client.http, controlPlane.baseUrl(), token, 2, List.of());
      String executionId = submitOneStep();
      Frame.TaskAssigned init = claimNext(d);
      Frame.TaskResult result = Scripts.succeedExcept().apply(init);
      d.send(result);
      d.send(result);
      assertThat(d.expect(Frame.ResultAck.class).taskId()).isEqualTo(init.taskId());
      assertThat(d.expect(Frame.ResultAck.class).taskId()).isEqualTo(init.taskId());
      Frame.TaskAssigned step = claimNext(d, init.taskId());
      assertThat(step.taskType()).isEqualTo(TaskTypes.EXECUTE_STEP);
      assertThat(count("SELECT COUNT(*) FROM tasks WHERE execution_id = '" + executionId + "'"))
          .isEqualTo(2);
    }
  }

  private static Frame.TaskAssigned claimNext(TestDelegate d, String... finished) throws InterruptedException {
    // offers repeat every dispatch scan, so an offer of a task finished a moment ago may still arrive
    java.util.Set<String> skip = java.util.Set.of(finished);
    String offered;
    do {
      offered = d.expect(Frame.TaskOffer.class).taskId();
    } while (skip.contains(offered));
    d.send(new Frame.Claim(offered));
    return d.expect(Frame.TaskAssigned.class);
  }

  @Test
  void appendsLogsIdempotentlyRefusesGapsAndForeignTokensAndWakesLongPolls() throws Exception {
    try (TestDelegate d = new TestDelegate("inst-e")) {
      d.connect(client.http, controlPlane.baseUrl(), token, 2, List.of());
      String executionId = OrchestrationIT.submit(client, Fixtures.pipeline("p",
          Fixtures.step("preview", "preview"), Fixtures.step("apply", "apply")));
      Frame.TaskAssigned init = claimNext(d);
      d.send(Scripts.succeedExcept().apply(init));
      Frame.TaskAssigned step = claimNext(d, init.taskId());
      String key = step.payload().get("logStream").get("key").asText();
      String logToken = step.payload().get("logStream").get("token").asText();
      assertThat(key).isEqualTo("executions/" + executionId + "/dev/preview");
      assertThat(count("SELECT COUNT(*) FROM tasks WHERE payload LIKE '%" + logToken + "%'"))
          .as("the log token is never stored").isZero();

      AppendRequest batch = new AppendRequest(key, List.of(line(1, "one"), line(2, "two"), line(3, "three")));
      for (int i = 0; i < 2; i++) {
        TestClient.Reply reply = client.post("/api/v1/logs", batch, logToken);
        assertThat(reply.code()).as(reply.body()).isEqualTo(200);
        assertThat(reply.json().get("acceptedThrough").asLong()).isEqualTo(3);
      }
      assertThat(count("SELECT last_seq FROM log_streams WHERE stream = '" + key + "'")).isEqualTo(3);

      TestClient.Reply gap = client.post("/api/v1/logs", new AppendRequest(key, List.of(line(5, "five"))),
          logToken);
      assertThat(gap.code()).isEqualTo(409);
      assertThat(gap.as(ApiError.class).code()).isEqualTo("sequence_gap");
      assertThat(gap.as(ApiError.class).details()).containsExactly("expected seq 4");

      String otherStream = "executions/" + executionId + "/dev/apply";
      assertThat(client.post("/api/v1/logs", new AppendRequest(otherStream, List.of(line(1, "x"))),
          logToken).code()).isEqualTo(401);
      assertThat(client.post("/api/v1/logs", batch, null).code()).isEqualTo(401);

      LogPage page = client.get("/api/v1/executions/" + executionId + "/logs").as(LogPage.class);
      assertThat(page.executionStatus()).isEqualTo("RUNNING");
      long t0 = System.nanoTime();
      CompletableFuture<LogPage> poll = CompletableFuture.supplyAsync(() -> client.get(
          "/api/v1/executions/" + executionId + "/logs?after=" + page.next() + "&waitMillis=20000")
          .as(LogPage.class));
      client.post("/api/v1/logs", new AppendRequest(key, List.of(line(4, "four"))), logToken);
      LogPage woken = poll.get(10, TimeUnit.SECONDS);
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(10_000);
      assertThat(woken.lines()).extracting(LogPage.Line::text).containsExactly("four");
      assertThat(woken.next()).isGreaterThan(page.next());
    }
  }

  private static LogLine line(long seq, String text) {
    return new LogLine(seq, System.currentTimeMillis(), "INFO", text);
  }
}
