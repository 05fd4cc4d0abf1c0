package io.dbops.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.support.Json;
import io.dbops.testsupport.TestDatabase;
import io.dbops.testsupport.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Migration state against the real distribution (issue 16 part 1): a real control plane, a real
 * delegate on the local runtime, PostgreSQL and MariaDB. After a run, {@code dbops state} lists
 * exactly the target's DATABASECHANGELOG rows; a changeset applied by hand with plain Liquibase
 * shows up after {@code dbops refresh}; {@code dbops diff staging prod} lists exactly what prod
 * misses; the drift gate blocks an apply after a column was added by hand until an approver
 * overrides, and the override is in the audit log.
 */
class FleetStateIT {
  private static final Duration CLI = Duration.ofMinutes(2);
  private static final Duration RUN = Duration.ofMinutes(5);
  private static final Duration WAIT = Duration.ofMinutes(3);
  private static final String CHANGELOG = """
      --liquibase formatted sql

      --changeset e2e:person-1
      CREATE TABLE person (id INT PRIMARY KEY, name VARCHAR(100));
      --rollback DROP TABLE person;

      --changeset e2e:person-2
      CREATE INDEX ix_person_name ON person (name);
      --rollback DROP INDEX ix_person_name;
      """;
  private static final String MORE = """

      --changeset e2e:orders-3
      CREATE TABLE orders (id INT PRIMARY KEY, person_id INT);
      --rollback DROP TABLE orders;
      """;

  @TempDir static Path work;
  private static Cluster cluster;
  private static Cluster.Server server;
  private static String bobToken;
  private static final Map<String, String> delegateEnv = new HashMap<>();

  @BeforeAll
  static void start() throws Exception {
    cluster = new Cluster(work);
    server = cluster.server("server", 0, Map.of());
    delegateEnv.put("E2E_PASSWORD", "");
    cluster.delegate(server.url(), server.api().createToken("state"), "state", "delegate", delegateEnv);
    DbopsProcess bob = DbopsProcess.run(work, Map.of(), CLI, "access", "create", "bob", "--role", "approver",
        "--server", server.url());
    assertThat(bob.exitCode()).as(bob.text()).isZero();
    bobToken = bob.lines().stream().filter(l -> l.startsWith("dbops_pat_")).findFirst().orElseThrow();
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static DbopsProcess cli(String token, String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--server");
    all.add(server.url());
    Map<String, String> env = token == null ? Map.of() : Map.of("DBOPS_API_TOKEN", token);
    return DbopsProcess.run(work, env, args[0].equals("run") ? RUN : CLI, all.toArray(String[]::new));
  }

  @ParameterizedTest
  @EnumSource(value = TestDatabases.Kind.class, names = {"POSTGRES", "MARIADB"})
  void stateListsTheHistoryARefreshFindsHandAppliedChangesetsDiffAndTheDriftGate(TestDatabases.Kind kind)
      throws Exception {
    String k = kind.name().toLowerCase(java.util.Locale.ROOT);
    try (TestDatabase staging = TestDatabases.create(kind); TestDatabase prod = TestDatabases.create(kind)) {
      Path repo = Files.createDirectories(work.resolve("repo-" + k));
      Files.writeString(repo.resolve("changelog.sql"), CHANGELOG);
      Files.writeString(repo.resolve("dbops.yaml"), """
          apiVersion: dbops/v1
          environments:
            - {name: staging-%1$s, order: 1}
            - name: prod-%1$s
              order: 2
              protection: {driftGate: true}
          targets:
            - {name: stg-%1$s, environment: staging-%1$s, url: "%2$s", username: %3$s}
            - {name: prod-%1$s, environment: prod-%1$s, url: "%4$s", username: %5$s}
          """.formatted(k, staging.jdbcUrl(), staging.username(), prod.jdbcUrl(), prod.username()));
      DbopsProcess applied = cli(null, "apply", "-f", repo.resolve("dbops.yaml").toString());
      assertThat(applied.exitCode()).as(applied.text()).isZero();

      // 1. a run on staging: dbops state lists exactly its DATABASECHANGELOG rows
      String run = run(repo, "stg-" + k, "first");
      DbopsProcess first = cli(null, "run", run);
      assertThat(first.exitCode()).as(first.text()).isZero();
      List<String> rows = historyIds(staging);
      assertThat(rows).contains("person-1", "person-2");
      await().atMost(WAIT).untilAsserted(() -> assertThat(stateIds("stg-" + k)).isEqualTo(rows));
      JsonNode state = stateJson("stg-" + k);
      String executionId = state.path("lastDeployment").path("executionId").asText();
      assertThat(executionId).startsWith("ex-");
      for (JsonNode c : state.path("changesets")) {
        if (c.path("id").asText().startsWith("person-")) {
          assertThat(c.path("executionId").asText()).isEqualTo(executionId);
        }
      }
      DbopsProcess text = cli(null, "state", "stg-" + k);
      assertThat(text.exitCode()).as(text.text()).isZero();
      assertThat(text.text()).contains("Environment:     staging-" + k).contains("changelog.sql::person-2::e2e")
          .contains("Last deployment: " + executionId);

      // 2. a changeset applied to prod by hand with plain Liquibase shows up after a refresh
      Path hand = Files.createDirectories(work.resolve("hand-" + k));
      Files.writeString(hand.resolve("changelog.sql"), CHANGELOG.substring(0, CHANGELOG.indexOf("--changeset e2e:person-2")));
      liquibaseUpdate(prod, hand);
      DbopsProcess refresh = cli(null, "refresh", "--environment", "prod-" + k);
      assertThat(refresh.exitCode()).as(refresh.text()).isZero();
      assertThat(refresh.text()).contains("Refresh started: execution ex-");
      await().atMost(WAIT).untilAsserted(() -> assertThat(stateIds("prod-" + k)).isEqualTo(historyIds(prod)));
      JsonNode prodState = stateJson("prod-" + k);
      assertThat(prodState.path("changesets").get(0).path("executionId").isMissingNode()
          || prodState.path("changesets").get(0).path("executionId").isNull()).as("applied outside dbops").isTrue();

      // 3. dbops diff lists exactly what prod misses
      DbopsProcess diff = cli(null, "diff", "staging-" + k, "prod-" + k, "-o", "json");
      assertThat(diff.exitCode()).as(diff.text()).isZero();
      JsonNode d = Json.mapper().readTree(diff.text().substring(diff.text().indexOf('{')));
      for (JsonNode t : d.path("targets")) {
        if (t.path("target").asText().equals("prod-" + k)) {
          assertThat(t.path("missing")).extracting(n -> n.path("id").asText()).containsExactly("person-2");
          assertThat(t.path("extra")).isEmpty();
        }
      }

      // 4. the drift gate: a column added by hand blocks the apply until an approver overrides
      try (Connection c = prod.connect(); Statement s = c.createStatement()) {
        s.execute("ALTER TABLE person ADD nickname VARCHAR(50)");
      }
      Files.writeString(repo.resolve("changelog.sql"), CHANGELOG + MORE);
      DbopsProcess gated = DbopsProcess.start(work, Map.of(), "run", run(repo, "prod-" + k, "gated"), "--server",
          server.url());
      try {
        String line = gated.awaitLine("Execution ex-", WAIT);
        String id = line.substring(line.indexOf("ex-")).split(" ")[0];
        gated.awaitLine("waits for approval", WAIT);
        assertThat(prod.tableExists("orders")).isFalse();
        JsonNode approval = server.api().get("/api/v1/executions/" + id + "/approvals").get(0);
        assertThat(approval.path("step").asText()).isEqualTo("drift-override");
        assertThat(Json.write(approval)).containsIgnoringCase("nickname");
        await().atMost(WAIT).untilAsserted(() -> assertThat(stateJson("prod-" + k).path("drift").path("status")
            .asText()).isEqualTo("drifted"));
        DbopsProcess approve = cli(bobToken, "approve", id, "--comment", "nickname added for the hotfix");
        assertThat(approve.exitCode()).as(approve.text()).isZero();
        await().atMost(RUN).pollInterval(Duration.ofMillis(250)).until(() -> !gated.isAlive());
        assertThat(gated.exitCode()).as(gated.text()).isZero();
        assertThat(prod.tableExists("orders")).isTrue();
        String audit = Json.write(server.api().get("/api/v1/audit?limit=500"));
        assertThat(audit).contains("drift.override").contains("nickname added for the hotfix").contains("bob (");
      } finally {
        gated.close();
      }
    }
  }

  private static String run(Path repo, String target, String name) throws Exception {
    Path file = repo.resolve(name + ".yaml");
    Files.writeString(file, """
        name: %s
        stages:
          - name: deploy
            target: %s
            steps:
              - {name: update, type: apply, changelog: changelog.sql}
        """.formatted(name, target));
    return file.toString();
  }

  private static List<String> historyIds(TestDatabase db) throws Exception {
    List<String> ids = new ArrayList<>();
    try (Connection c = db.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id FROM DATABASECHANGELOG ORDER BY DATEEXECUTED, ORDEREXECUTED")) {
      while (rs.next()) {
        ids.add(rs.getString(1));
      }
    }
    return ids;
  }

  private static JsonNode stateJson(String target) throws Exception {
    DbopsProcess state = cli(null, "state", target, "-o", "json");
    assertThat(state.exitCode()).as(state.text()).isZero();
    return Json.mapper().readTree(state.text().substring(state.text().indexOf('{')));
  }

  private static List<String> stateIds(String target) throws Exception {
    List<String> ids = new ArrayList<>();
    stateJson(target).path("changesets").forEach(c -> ids.add(c.path("id").asText()));
    return ids;
  }

  @SuppressWarnings("deprecation") // the plain Liquibase facade, as a user's script would call it
  private static void liquibaseUpdate(TestDatabase db, Path dir) throws Exception {
    try (Connection c = db.connect()) {
      liquibase.database.Database database = liquibase.database.DatabaseFactory.getInstance()
          .findCorrectDatabaseImplementation(new liquibase.database.jvm.JdbcConnection(c));
      try (liquibase.resource.DirectoryResourceAccessor accessor = new liquibase.resource.DirectoryResourceAccessor(dir)) {
        new liquibase.Liquibase("changelog.sql", accessor, database).update("");
      }
    }
  }
}
