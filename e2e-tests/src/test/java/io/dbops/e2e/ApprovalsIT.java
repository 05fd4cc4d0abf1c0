package io.dbops.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.support.Json;
import io.dbops.testsupport.TestDatabase;
import io.dbops.testsupport.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Approvals bound to SQL (issue #15) against the real distribution: a {@code dbops server}, a
 * {@code dbops delegate} with the local runtime, {@code dbops run} started by the admin identity, and
 * a second identity, {@code bob} with the approver role, made with {@code dbops access create}.
 * Staging on PostgreSQL, prod on MariaDB (PostgreSQL for the SQL-hash refusal).
 */
class ApprovalsIT {
  private static final Duration RUN = Duration.ofMinutes(5);
  private static final Duration WAIT = Duration.ofMinutes(3);
  private static final String FIRST = """
      --liquibase formatted sql

      --changeset e2e:orders-1
      CREATE TABLE orders (id INT PRIMARY KEY, total DECIMAL(10,2));
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
    String delegateToken = server.api().createToken("approvals");
    delegateEnv.put("E2E_PASSWORD", "");
    cluster.delegate(server.url(), delegateToken, "approvals", "delegate", delegateEnv);
    DbopsProcess bob = DbopsProcess.run(work, Map.of(), Duration.ofMinutes(1),
        "access", "create", "bob", "--role", "approver", "--server", server.url());
    assertThat(bob.exitCode()).as(bob.text()).isZero();
    bobToken = bob.lines().stream().filter(l -> l.startsWith("dbops_pat_")).findFirst().orElseThrow();
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void stagingAppliesProdWaitsTheStarterCannotApproveAndASecondIdentityApproves() throws Exception {
    try (TestDatabase staging = TestDatabases.create(TestDatabases.Kind.POSTGRES);
        TestDatabase prod = TestDatabases.create(TestDatabases.Kind.MARIADB)) {
      Path pipeline = pipeline("approve", staging, prod, 600);
      DbopsProcess run = DbopsProcess.start(work, Map.of(), "run", pipeline.toString(), "--server", server.url());
      try {
        String id = executionId(run);
        awaitWaiting(id);
        assertThat(staging.tableExists("orders")).isTrue();
        assertThat(prod.tableExists("orders")).isFalse();
        assertThat(prod.tableExists("DATABASECHANGELOG")).isFalse();
        run.awaitLine("waits for approval", WAIT);
        assertThat(run.text()).contains("dbops approve " + id).contains("CREATE TABLE orders")
            .contains("DROP TABLE orders");

        JsonNode approval = server.api().get("/api/v1/executions/" + id + "/approvals").get(0);
        assertThat(approval.path("status").asText()).isEqualTo("WAITING");
        assertThat(approval.path("startedBy").asText()).isEqualTo("bootstrap-admin");
        String sqlHash = approval.path("sqlHash").asText();
        assertThat(sqlHash).matches("[0-9a-f]{64}");
        assertThat(approval.path("updateSql").asText()).contains("CREATE TABLE orders");
        assertThat(approval.path("rollbackSql").asText()).contains("DROP TABLE orders");

        DbopsProcess waiting = cli(bobToken, "executions", "--waiting");
        assertThat(waiting.exitCode()).as(waiting.text()).isZero();
        assertThat(waiting.text()).contains(id).contains("prod").contains("approve").contains("0/1");
        DbopsProcess notForAdmin = cli(null, "executions", "--waiting");
        assertThat(notForAdmin.text()).as("the starter may not approve it").doesNotContain(id);

        DbopsProcess starter = cli(null, "approve", id, "--comment", "my own change");
        assertThat(starter.exitCode()).as(starter.text()).isEqualTo(77);
        assertThat(starter.text()).contains("'bootstrap-admin' started this execution")
            .contains("rule: starterMayApprove is false");
        assertThat(prod.tableExists("orders")).isFalse();

        DbopsProcess approve = cli(bobToken, "approve", id, "--comment", "reviewed the SQL");
        assertThat(approve.exitCode()).as(approve.text()).isZero();
        assertThat(approve.text()).contains("Approved").contains(sqlHash);
        awaitExit(run);
        assertThat(run.exitCode()).as(run.text()).isZero();
        assertThat(prod.tableExists("orders")).isTrue();
        assertThat(run.text()).contains("approved by bob").contains("is the SQL approved");

        String audit = Json.write(server.api().get("/api/v1/audit?limit=500"));
        assertThat(audit).contains("approval.approve").contains("reviewed the SQL").contains(sqlHash)
            .contains("bob (");
      } finally {
        run.close();
      }
    }
  }

  @Test
  void aRejectionFailsTheExecutionWithTheReasonAndLeavesProdUntouched() throws Exception {
    try (TestDatabase prod = TestDatabases.create(TestDatabases.Kind.MARIADB)) {
      DbopsProcess run = DbopsProcess.start(work, Map.of(), "run", pipeline("reject", null, prod, 600).toString(),
          "--server", server.url());
      try {
        String id = executionId(run);
        awaitWaiting(id);
        DbopsProcess reject = cli(bobToken, "approve", id, "--reject", "--comment", "not during the sale");
        assertThat(reject.exitCode()).as(reject.text()).isZero();
        awaitExit(run);
        assertThat(run.exitCode()).as(run.text()).isEqualTo(1);
        JsonNode execution = server.api().get("/api/v1/executions/" + id);
        assertThat(execution.path("status").asText()).isEqualTo("FAILED");
        assertThat(execution.path("error").asText()).contains("rejected by bob: not during the sale");
        assertThat(prod.tableExists("orders")).isFalse();
        assertThat(prod.tableExists("DATABASECHANGELOG")).isFalse();
        assertThat(Json.write(server.api().get("/api/v1/audit?limit=500"))).contains("approval.reject")
            .contains("not during the sale");
      } finally {
        run.close();
      }
    }
  }

  @Test
  void anApprovalTimesOutAndCountsAsRejected() throws Exception {
    try (TestDatabase prod = TestDatabases.create(TestDatabases.Kind.MARIADB)) {
      DbopsProcess run = DbopsProcess.start(work, Map.of(), "run", pipeline("timeout", null, prod, 3).toString(),
          "--server", server.url());
      try {
        String id = executionId(run);
        awaitExit(run);
        assertThat(run.exitCode()).as(run.text()).isEqualTo(1);
        JsonNode execution = server.api().get("/api/v1/executions/" + id);
        assertThat(execution.path("status").asText()).isEqualTo("FAILED");
        assertThat(execution.path("error").asText()).contains("timed out after 3 s").contains("counts as rejected");
        assertThat(prod.tableExists("orders")).isFalse();
        DbopsProcess late = cli(bobToken, "approve", id);
        assertThat(late.exitCode()).as(late.text()).isNotZero();
        assertThat(late.text()).contains("waits for no approval");
      } finally {
        run.close();
      }
    }
  }

  @Test
  void aChangesetAddedBetweenApprovalAndApplyMakesTheApplyRefuseNamingIt() throws Exception {
    try (TestDatabase prod = TestDatabases.create(TestDatabases.Kind.POSTGRES)) {
      Path pipeline = pipeline("sneak", null, prod, 600);
      DbopsProcess run = DbopsProcess.start(work, Map.of(), "run", pipeline.toString(), "--server", server.url());
      try {
        String id = executionId(run);
        awaitWaiting(id);
        Files.writeString(pipeline.resolveSibling("changelog.sql"), FIRST + """

            --changeset mallory:sneaked-in
            DROP TABLE IF EXISTS customers;
            --rollback SELECT 1;
            """);
        DbopsProcess approve = cli(bobToken, "approve", id, "--comment", "orders table only");
        assertThat(approve.exitCode()).as(approve.text()).isZero();
        awaitExit(run);
        assertThat(run.exitCode()).as(run.text()).isEqualTo(1);
        JsonNode execution = server.api().get("/api/v1/executions/" + id);
        assertThat(execution.path("error").asText()).contains("differs from the SQL approved")
            .contains("appeared since the approval: changelog.sql::sneaked-in::mallory")
            .doesNotContain("orders-1");
        assertThat(prod.tableExists("orders")).isFalse();
        assertThat(prod.tableExists("databasechangelog") ? prod.queryLong("SELECT COUNT(*) FROM databasechangelog")
            : 0).isZero();
      } finally {
        run.close();
      }
    }
  }

  private static String executionId(DbopsProcess run) throws InterruptedException {
    String line = run.awaitLine("Execution ex-", WAIT);
    return line.substring(line.indexOf("ex-")).split(" ")[0];
  }

  private static void awaitWaiting(String id) {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> assertThat(
        server.api().get("/api/v1/executions/" + id).path("status").asText()).isIn("WAITING_APPROVAL", "FAILED"));
    try {
      JsonNode execution = server.api().get("/api/v1/executions/" + id);
      assertThat(execution.path("status").asText()).as(Json.write(execution)).isEqualTo("WAITING_APPROVAL");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static void awaitExit(DbopsProcess run) {
    await().atMost(RUN).pollInterval(Duration.ofMillis(250)).until(() -> !run.isAlive());
  }

  /** A dbops client command as {@code token}'s identity (null: the admin stored by the login). */
  private static DbopsProcess cli(String token, String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--server", server.url()));
    return DbopsProcess.run(work, token == null ? Map.of() : Map.of("DBOPS_API_TOKEN", token), Duration.ofMinutes(1),
        all.toArray(String[]::new));
  }

  /** Staging (when given) applies; prod previews both ways, waits for one approver, then applies. */
  private static Path pipeline(String name, TestDatabase staging, TestDatabase prod, int timeoutSeconds)
      throws Exception {
    Path dir = Files.createDirectories(work.resolve(name));
    Files.writeString(dir.resolve("changelog.sql"), FIRST);
    List<String> lines = new ArrayList<>(List.of("name: " + name, "stages:"));
    if (staging != null) {
      lines.addAll(List.of(
          "  - name: staging",
          "    database:",
          "      url: \"" + staging.jdbcUrl() + "\"",
          "      username: " + staging.username(),
          "    steps:",
          "      - name: apply",
          "        type: apply",
          "        changelog: changelog.sql"));
    }
    lines.addAll(List.of(
        "  - name: prod",
        "    database:",
        "      url: \"" + prod.jdbcUrl() + "\"",
        "      username: " + prod.username(),
        "    steps:",
        "      - name: preview",
        "        type: preview",
        "        changelog: changelog.sql",
        "      - name: undo-preview",
        "        type: preview",
        "        rollback: true",
        "        changelog: changelog.sql",
        "      - name: approve",
        "        type: approval",
        "        approval:",
        "          required: 1",
        "          roles: [approver]",
        "          timeoutSeconds: " + timeoutSeconds,
        "      - name: apply",
        "        type: apply",
        "        changelog: changelog.sql",
        ""));
    Path pipeline = dir.resolve("pipeline.yaml");
    Files.writeString(pipeline, String.join("\n", lines));
    return pipeline;
  }
}
