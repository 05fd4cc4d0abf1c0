package io.dbops.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.testsupport.TestDatabase;
import io.dbops.testsupport.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fleet rollouts (docs/fleet-rollouts.md) through the real distribution: {@code dbops server},
 * two {@code dbops delegate}s with local build pods, {@code dbops apply}, {@code dbops run} and
 * {@code dbops retry}, against one real PostgreSQL database per target.
 */
class RolloutIT {
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(15);

  @TempDir Path work;

  /** One changeset; {@code ${bad}} = 1 (a target parameter) makes it fail, rolled back entirely. */
  private static final String CHANGELOG = """
      --liquibase formatted sql

      --changeset e2e:1-rollout
      CREATE TABLE rollout_marker (id INT PRIMARY KEY, v INT);
      INSERT INTO rollout_marker (id, v) VALUES (1, 1 / (1 - ${bad}));
      """;

  private static final String SLOW_CHANGELOG = """
      --liquibase formatted sql

      --changeset e2e:1-rollout
      SELECT pg_sleep(4);
      CREATE TABLE rollout_marker (id INT PRIMARY KEY, v INT);
      """;

  private static String targetName(int i) {
    return String.format("tenant-%02d", i);
  }

  /** The catalog: environment tenants and one target per database, labelled with this run's id. */
  private static void catalog(Path file, String run, List<TestDatabase> dbs, Set<Integer> bad) throws Exception {
    StringBuilder b = new StringBuilder("apiVersion: dbops/v1\nenvironments:\n  - name: tenants\ntargets:\n");
    for (int i = 0; i < dbs.size(); i++) {
      b.append("  - name: ").append(targetName(i)).append('\n')
          .append("    environment: tenants\n")
          .append("    url: ").append(dbs.get(i).jdbcUrl()).append('\n')
          .append("    username: ").append(dbs.get(i).username()).append('\n')
          .append("    labels: {tier: tenant, run: ").append(run).append("}\n")
          .append("    liquibase: {parameters: {bad: \"").append(bad.contains(i) ? 1 : 0).append("\"}}\n");
    }
    Files.writeString(file, b.toString());
  }

  private static Path pipeline(Path dir, String run, String changelog, String rollout) throws Exception {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("changelog.sql"), changelog);
    Path file = dir.resolve("pipeline.yaml");
    Files.writeString(file, "name: e2e-rollout\n"
        + "stages:\n"
        + "  - name: tenants\n"
        + "    targetGroup: tier=tenant,run=" + run + "\n"
        + "    rollout: " + rollout + "\n"
        + "    steps:\n"
        + "      - {name: apply, type: apply, changelog: changelog.sql}\n");
    return file;
  }

  private DbopsProcess cli(Cluster.Server server, String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--server", server.url()));
    return DbopsProcess.run(work, Map.of(), RUN_TIMEOUT, all.toArray(String[]::new));
  }

  /** Rows of the changeset in the target's history; -1 when it has no history table. */
  private static int applied(TestDatabase db) throws SQLException {
    if (!db.tableExists("databasechangelog")) {
      return -1;
    }
    return (int) db.queryLong("SELECT count(*) FROM databasechangelog WHERE id = '1-rollout'");
  }

  private static JsonNode newestRollout(Cluster.Server server) throws Exception {
    return server.api().get("/api/v1/executions?limit=1").get(0);
  }

  private static Map<String, JsonNode> targets(JsonNode execution) {
    Map<String, JsonNode> out = new HashMap<>();
    execution.path("stages").get(0).path("rollout").path("targets").forEach(t -> out.put(t.path("target").asText(), t));
    return out;
  }

  private static void closeAll(List<TestDatabase> dbs) {
    for (TestDatabase db : dbs) {
      try {
        db.close();
      } catch (SQLException e) {
        // best effort: the next run uses other names
      }
    }
  }

  @Test
  void twentyDatabasesCanaryThenWavesOfFiveThreePerHostTwoFailuresSpendTheBudgetAndRetryRunsJustThose()
      throws Exception {
    List<TestDatabase> dbs = new ArrayList<>();
    String run = "r" + UUID.randomUUID().toString().substring(0, 8);
    try (Cluster cluster = new Cluster(work)) {
      for (int i = 0; i < 20; i++) {
        dbs.add(TestDatabases.create(TestDatabases.Kind.POSTGRES));
      }
      Cluster.Server server = cluster.server("cp", 0, Map.of());
      String token = server.api().createToken("e2e-rollout");
      cluster.delegate(server.url(), token, "first", "d1", Map.of("DBOPS_CAPACITY", "4"));
      cluster.delegate(server.url(), token, "second", "d2", Map.of("DBOPS_CAPACITY", "4"));
      Path catalog = work.resolve("dbops.yaml");
      catalog(catalog, run, dbs, Set.of(2, 4));
      DbopsProcess applied = cli(server, "apply", "-f", catalog.toString());
      assertThat(applied.exitCode()).as(applied.text()).isZero();

      DbopsProcess first = cli(server, "run", pipeline(work.resolve("p"), run, CHANGELOG,
          "{canary: 1, waves: [\"5\"], maxParallel: 5, perHost: 3, failureBudget: \"2\"}").toString());
      assertThat(first.exitCode()).as(first.text()).isEqualTo(1);
      JsonNode execution = newestRollout(server);
      String id = execution.path("id").asText();
      assertThat(execution.path("status").asText()).isEqualTo("FAILED");
      Map<String, JsonNode> targets = targets(execution);
      assertThat(targets).hasSize(20);
      for (int i = 0; i < 20; i++) {
        String status = targets.get(targetName(i)).path("status").asText();
        String expected = i == 2 || i == 4 ? "FAILED" : i <= 5 ? "SUCCEEDED" : "SKIPPED";
        assertThat(status).as(targetName(i)).isEqualTo(expected);
        // the history of each database says the same: applied once, not at all, or never touched
        assertThat(applied(dbs.get(i))).as("history of " + targetName(i))
            .isEqualTo(expected.equals("SUCCEEDED") ? 1 : expected.equals("FAILED") ? 0 : -1);
      }
      assertThat(execution.path("error").asText()).contains("the failure budget of 2 is spent (2 failed)");
      // the canary ran first and alone; at most 3 at once on the one database host
      List<Instant[]> spans = new ArrayList<>();
      Instant canaryEnd = null;
      for (int i = 0; i <= 5; i++) {
        JsonNode child = server.api().get("/api/v1/executions/" + targets.get(targetName(i)).path("executionId").asText());
        assertThat(child.path("origin").path("parentId").asText()).isEqualTo(id);
        Instant created = Instant.parse(child.path("createdAt").asText());
        Instant finished = Instant.parse(child.path("finishedAt").asText());
        if (i == 0) {
          canaryEnd = finished;
        } else {
          assertThat(created).isAfterOrEqualTo(canaryEnd);
          spans.add(new Instant[] {created, finished});
        }
      }
      for (Instant[] span : spans) {
        long overlapping = spans.stream().filter(o -> !o[0].isAfter(span[0]) && o[1].isAfter(span[0])).count();
        assertThat(overlapping).as("targets running at once on 127.0.0.1:5432").isLessThanOrEqualTo(3);
      }
      DbopsProcess show = cli(server, "execution", "show", id);
      assertThat(show.text()).contains("rollout:   4 succeeded, 2 failed, 0 rolled back, 14 skipped")
          .contains("failed:    " + targetName(2)).contains("dbops retry " + id + " --failed");

      // fix the cause (the targets' parameter), then retry only the failed ones
      catalog(catalog, run, dbs, Set.of());
      assertThat(cli(server, "apply", "-f", catalog.toString()).exitCode()).isZero();
      DbopsProcess retry = cli(server, "retry", id, "--failed");
      assertThat(retry.exitCode()).as(retry.text()).isZero();
      JsonNode retried = newestRollout(server);
      assertThat(retried.path("id").asText()).isNotEqualTo(id);
      assertThat(targets(retried).keySet()).containsExactlyInAnyOrder(targetName(2), targetName(4));
      for (int i = 0; i < 20; i++) {
        assertThat(applied(dbs.get(i))).as("history of " + targetName(i)).isEqualTo(i <= 5 ? 1 : -1);
      }
    } finally {
      closeAll(dbs);
    }
  }

  @Test
  void aDelegateKilledMidRolloutItsTargetsAreRecoveredAndTheRestRunsOnTheOther() throws Exception {
    List<TestDatabase> dbs = new ArrayList<>();
    String run = "k" + UUID.randomUUID().toString().substring(0, 8);
    try (Cluster cluster = new Cluster(work)) {
      for (int i = 0; i < 8; i++) {
        dbs.add(TestDatabases.create(TestDatabases.Kind.POSTGRES));
      }
      Cluster.Server server = cluster.server("cp", 0, Map.of("DBOPS_LEASE_SECONDS", "5", "DBOPS_SWEEP_MILLIS", "200",
          "DBOPS_DISPATCH_DEADLINE_SECONDS", "20"));
      String token = server.api().createToken("e2e-kill");
      Cluster.Delegate first = cluster.delegate(server.url(), token, "first", "d1", Map.of("DBOPS_CAPACITY", "2"));
      Path catalog = work.resolve("dbops.yaml");
      catalog(catalog, run, dbs, Set.of());
      assertThat(cli(server, "apply", "-f", catalog.toString()).exitCode()).isZero();
      DbopsProcess rollout = DbopsProcess.start(work, Map.of(), "run", pipeline(work.resolve("k"), run, SLOW_CHANGELOG,
          "{canary: 0, maxParallel: 4, failureBudget: \"100%\"}").toString(), "--server", server.url());
      try {
        // the first delegate holds targets; then the second joins and the first dies mid-step
        await().atMost(RUN_TIMEOUT).until(() -> runningOn(server, "first") > 0);
        cluster.delegate(server.url(), token, "second", "d2", Map.of("DBOPS_CAPACITY", "4"));
        first.process().kill9();
        await().atMost(RUN_TIMEOUT).until(() -> !rollout.isAlive());
      } finally {
        rollout.close();
      }
      JsonNode execution = newestRollout(server);
      assertThat(execution.path("status").asText()).isIn("SUCCEEDED", "FAILED");
      Map<String, JsonNode> targets = targets(execution);
      int succeeded = 0;
      for (int i = 0; i < 8; i++) {
        String status = targets.get(targetName(i)).path("status").asText();
        assertThat(status).as(targetName(i)).isIn("SUCCEEDED", "FAILED");
        int rows = applied(dbs.get(i));
        // never twice; a succeeded target exactly once
        assertThat(rows).as("history of " + targetName(i)).isLessThanOrEqualTo(1);
        if ("SUCCEEDED".equals(status)) {
          succeeded++;
          assertThat(rows).as("history of " + targetName(i)).isEqualTo(1);
        }
      }
      assertThat(succeeded).as("targets that ran on the surviving delegate").isPositive();
      if ("FAILED".equals(execution.path("status").asText())) {
        // the targets the dead delegate held failed per the task policy: retrying them completes the rollout
        DbopsProcess retry = cli(server, "retry", execution.path("id").asText(), "--failed");
        assertThat(retry.exitCode()).as(retry.text()).isZero();
      }
      for (int i = 0; i < 8; i++) {
        assertThat(applied(dbs.get(i))).as("history of " + targetName(i)).isEqualTo(1);
      }
      // The killed delegate's build pods outlive it, as a crashed delegate's do; the next delegate on
      // its state directory stops them (NothingLeftRunningIT), so nothing of this test keeps running.
      List<NothingLeftRunningIT.PodPid> orphans = NothingLeftRunningIT.recorded(work.resolve("d1"));
      cluster.delegate(server.url(), token, "first", "d1", Map.of("DBOPS_CAPACITY", "2"));
      await().atMost(RUN_TIMEOUT).untilAsserted(() -> assertThat(orphans)
          .noneMatch(NothingLeftRunningIT.PodPid::running));
    } finally {
      closeAll(dbs);
    }
  }

  /** Children of the newest rollout whose stage runs on delegate {@code name} now. */
  private static long runningOn(Cluster.Server server, String name) throws Exception {
    JsonNode children = server.api().get("/api/v1/executions?limit=100&children=true");
    long n = 0;
    for (JsonNode child : children) {
      if (!child.path("origin").path("parentId").isMissingNode() && "RUNNING".equals(child.path("status").asText())
          && name.equals(child.path("stages").get(0).path("delegateName").asText())
          && "RUNNING".equals(child.path("stages").get(0).path("steps").get(0).path("status").asText())) {
        n++;
      }
    }
    return n;
  }
}
