package io.dbops.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.testsupport.TestDatabase;
import io.dbops.testsupport.TestDatabases;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing left running (issue 15): the pod processes of a delegate killed with SIGKILL mid-stage are
 * killed by the next delegate started on the same state directory, within seconds of its start; a
 * revoked delegate stops its pods within a minute. A stage runs {@code SELECT pg_sleep(...)} on the
 * local PostgreSQL so that it is mid-stage when the delegate goes.
 */
class NothingLeftRunningIT {
  @TempDir Path work;

  /** A recorded pod process: pid and start time (a pid alone may have been reused). */
  record PodPid(long pid, Instant started) {
    boolean running() {
      try {
        // a killed process not yet reaped is a zombie: gone for this purpose
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        if (stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z")) {
          return false;
        }
      } catch (Exception e) {
        return false;
      }
      return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
          .flatMap(p -> p.info().startInstant())
          .map(s -> Duration.between(s, started).abs().toMillis() < 1000)
          .orElse(false);
    }
  }

  @Test
  void theNextDelegateOnAStateDirectoryKillsThePodProcessesOfAKilledOne() throws Exception {
    try (Cluster cluster = new Cluster(work); TestDatabase db = TestDatabases.create(TestDatabases.Kind.POSTGRES)) {
      Cluster.Server server = cluster.server("server", 0, Map.of());
      String token = server.api().createToken("e2e");
      Cluster.Delegate first = cluster.delegate(server.url(), token, "e2e", "delegate", Map.of());
      DbopsProcess run = DbopsProcess.start(work, Map.of(), "run", sleepingPipeline("kill9", db, 60).toString(),
          "--server", server.url());
      try {
        awaitSleepRunning(db);
        List<PodPid> pods = recorded(work.resolve("delegate"));
        assertThat(pods).hasSizeGreaterThanOrEqualTo(2); // lite engine and a step container

        first.process().kill9();
        assertThat(pods).anyMatch(PodPid::running); // a killed delegate cannot stop its pods

        Cluster.Delegate next = cluster.delegate(server.url(), token, "e2e", "delegate", Map.of());
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(pods).noneMatch(PodPid::running));
        assertThat(next.process().text()).contains("an earlier delegate on this state directory left it running",
            "by earlier delegate instances");
      } finally {
        run.close();
      }
    }
  }

  @Test
  void aRevokedDelegateStopsItsPodsWithinAMinute() throws Exception {
    try (Cluster cluster = new Cluster(work); TestDatabase db = TestDatabases.create(TestDatabases.Kind.POSTGRES)) {
      Cluster.Server server = cluster.server("server", 0, Map.of());
      JsonNode token = server.api().createTokenRecord("e2e-revoked");
      Cluster.Delegate delegate = cluster.delegate(server.url(), token.get("token").asText(), "e2e", "delegate",
          Map.of("DBOPS_DRAIN_SECONDS", "10"));
      DbopsProcess run = DbopsProcess.start(work, Map.of(), "run", sleepingPipeline("revoked", db, 180).toString(),
          "--server", server.url());
      try {
        awaitSleepRunning(db);
        List<PodPid> pods = recorded(work.resolve("delegate"));
        assertThat(pods).hasSizeGreaterThanOrEqualTo(2).allMatch(PodPid::running);

        server.api().revokeToken(token.get("id").asText());

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(pods).noneMatch(PodPid::running));
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(delegate.process().text())
            .contains("1 running task(s) may finish within 10 s (DBOPS_DRAIN_SECONDS, at most 60 s)",
                "Stopped every build pod of this delegate"));
      } finally {
        run.close();
      }
    }
  }

  private Path sleepingPipeline(String dir, TestDatabase db, int seconds) throws Exception {
    Path target = Files.createDirectories(work.resolve(dir));
    Files.writeString(target.resolve("changelog.sql"), String.join("\n",
        "--liquibase formatted sql",
        "--changeset e2e:1-sleep",
        "SELECT pg_sleep(" + seconds + ");", ""));
    Files.writeString(target.resolve("pipeline.yaml"), String.join("\n",
        "name: e2e-" + dir,
        "stages:",
        "  - name: test",
        "    database:",
        "      url: " + db.jdbcUrl(),
        "      username: " + db.username(),
        "    steps:",
        "      - name: apply",
        "        type: apply",
        "        changelog: changelog.sql", ""));
    return target.resolve("pipeline.yaml");
  }

  /**
   * The stage's sleep runs on this test's database; a sleep of another test on the same server (a
   * parallel fork, another build) does not count.
   */
  private static void awaitSleepRunning(TestDatabase db) {
    await().atMost(Duration.ofMinutes(2)).until(() -> db.queryLong(
        "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()"
            + " AND query LIKE 'SELECT pg_sleep(%'") > 0);
  }

  /** The pod processes the delegate recorded in its state directory. */
  static List<PodPid> recorded(Path stateDir) throws Exception {
    List<PodPid> pids = new ArrayList<>();
    if (!Files.isDirectory(stateDir.resolve("pod-processes"))) {
      return pids; // no pod was ever recorded there
    }
    try (Stream<Path> files = Files.list(stateDir.resolve("pod-processes"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".properties")).toList()) {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
          p.load(in);
        }
        pids.add(new PodPid(Long.parseLong(p.getProperty("pid")), Instant.parse(p.getProperty("started"))));
      }
    }
    return pids;
  }
}
