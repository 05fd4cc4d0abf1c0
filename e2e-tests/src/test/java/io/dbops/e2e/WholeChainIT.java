package io.dbops.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.testsupport.TestDatabase;
import io.dbops.testsupport.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole chain as separate processes of the distribution, over their real sockets: {@code dbops
 * server} (HTTP + WebSocket), {@code dbops delegate} (local runtime, which starts {@code dbops
 * lite-engine} and {@code dbops step-runtime} processes and talks gRPC to them), {@code dbops run}
 * (HTTP), and the target database (JDBC).
 */
class WholeChainIT {
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(3);

  @TempDir static Path work;
  private static DbopsProcess server;
  private static DbopsProcess delegate;
  private static String serverUrl;

  @BeforeAll
  static void startServerAndDelegate() throws Exception {
    server = DbopsProcess.start(work, Map.of(), "server", "--port", "0", "--data-dir",
        work.resolve("server").toString());
    String listening = server.awaitLine("dbops control plane listening on http", Duration.ofSeconds(60));
    serverUrl = listening.substring(listening.indexOf("http://")).split(" ")[0];
    DbopsProcess.loginAsAdmin(work, work.resolve("server"), serverUrl);

    DbopsProcess token = DbopsProcess.run(work, Map.of(), Duration.ofSeconds(60),
        "token", "create", "e2e", "--server", serverUrl);
    assertThat(token.exitCode()).as(token.text()).isZero();
    String tokenValue = token.lines().get(token.lines().size() - 1).trim();

    Map<String, String> delegateEnv = new java.util.HashMap<>(Cluster.allowlists(work));
    delegateEnv.putAll(Map.of("DBOPS_TOKEN", tokenValue, "DBOPS_ALLOW_INSECURE", "true", "DBOPS_METRICS_PORT", "0"));
    delegate = DbopsProcess.start(work, delegateEnv, "delegate",
        "--server", serverUrl, "--name", "e2e", "--state-dir", work.resolve("delegate").toString());
    delegate.awaitLine("Connected to", Duration.ofSeconds(60));
  }

  @AfterAll
  static void stop() throws Exception {
    if (delegate != null) {
      delegate.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void appliesChangelogToPostgresThroughEveryProcess() throws Exception {
    try (TestDatabase db = TestDatabases.create(TestDatabases.Kind.POSTGRES)) {
      Path pipeline = goodPipeline("pg-good", db.jdbcUrl(), db.username());

      DbopsProcess first = run(pipeline);
      assertThat(first.exitCode()).as(first.text()).isZero();
      assertThat(first.text())
          .contains("[test/apply]")
          .contains("2 changesets applied; rollback tag recorded before applying: dbops-pre-")
          .contains("SUCCEEDED");
      assertThat(db.tableExists("accounts")).isTrue();
      assertThat(db.tableExists("ledger")).isTrue();
      assertThat(podLogsOfDelegate()).isNotEmpty();

      DbopsProcess second = run(pipeline);
      assertThat(second.exitCode()).as(second.text()).isZero();
      assertThat(second.text()).contains("database is up to date, nothing to apply");
      assertThat(db.queryLong("SELECT COUNT(*) FROM databasechangelog WHERE id IN ('1-accounts','2-ledger')"))
          .isEqualTo(2);
    }
  }

  @Test
  void appliesChangelogToH2ThroughEveryProcess() throws Exception {
    String url = "jdbc:h2:file:" + work.resolve("h2-good/db");
    Path pipeline = goodPipeline("h2-good", url, "sa");

    DbopsProcess first = run(pipeline);
    assertThat(first.exitCode()).as(first.text()).isZero();
    assertThat(first.text()).contains("2 changesets applied");
    // the pod's processes are gone after cleanup, so the H2 file is free again
    try (Connection c = DriverManager.getConnection(url, "sa", "")) {
      assertThat(ids(c)).containsExactly("1-accounts", "2-ledger");
    }
  }

  @Test
  void badChangesetFailsTheRunOnPostgresAndLeavesEarlierOnesRecorded() throws Exception {
    try (TestDatabase db = TestDatabases.create(TestDatabases.Kind.POSTGRES)) {
      Path pipeline = Pipelines.copy("bad", List.of("pipeline.yaml", "changelog.sql"),
          work.resolve("pg-bad"), Map.of("url", db.jdbcUrl(), "username", db.username()));

      DbopsProcess run = run(pipeline);

      assertThat(run.exitCode()).as(run.text()).isEqualTo(1);
      assertThat(run.text()).contains("3-broken").contains("syntax error").contains("FAILED");
      try (Connection c = db.connect()) {
        assertThat(ids(c)).containsExactly("1-widgets", "2-gadgets");
      }
      assertThat(db.tableExists("widgets")).isTrue();
      assertThat(db.tableExists("broken")).isFalse();
      assertThat(db.tableExists("never_created")).isFalse();
    }
  }

  @Test
  void badChangesetFailsTheRunOnH2() throws Exception {
    String url = "jdbc:h2:file:" + work.resolve("h2-bad/db");
    Path pipeline = Pipelines.copy("bad", List.of("pipeline.yaml", "changelog.sql"),
        work.resolve("h2-bad"), Map.of("url", url, "username", "sa"));

    DbopsProcess run = run(pipeline);

    assertThat(run.exitCode()).as(run.text()).isEqualTo(1);
    assertThat(run.text()).contains("3-broken").contains("Syntax error");
    try (Connection c = DriverManager.getConnection(url, "sa", "")) {
      assertThat(ids(c)).containsExactly("1-widgets", "2-gadgets");
    }
  }

  @Test
  void clonesTheChangelogFromGitThenAppliesItAndPreviewsItsRollback() throws Exception {
    Path repo = work.resolve("changelog-repo");
    Files.createDirectories(repo.resolve("db"));
    Files.writeString(repo.resolve("db/changelog.sql"), String.join("\n",
        "--liquibase formatted sql",
        "--changeset e2e:1-orders",
        "CREATE TABLE orders (id INT PRIMARY KEY);",
        "--rollback DROP TABLE orders;",
        "--changeset e2e:2-order-lines",
        "CREATE TABLE order_lines (id INT PRIMARY KEY, order_id INT);",
        "--rollback DROP TABLE order_lines;", ""));
    try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
      git.add().addFilepattern(".").call();
      git.commit().setMessage("changelog").setAuthor("e2e", "e2e@example.com")
          .setCommitter("e2e", "e2e@example.com").setSign(false).call();
    }
    try (TestDatabase db = TestDatabases.create(TestDatabases.Kind.POSTGRES)) {
      Path dir = Files.createDirectories(work.resolve("pg-clone"));
      Path pipeline = dir.resolve("pipeline.yaml");
      Files.writeString(pipeline, String.join("\n",
          "name: e2e-clone",
          "stages:",
          "  - name: test",
          "    database:",
          "      url: " + db.jdbcUrl(),
          "      username: " + db.username(),
          "    steps:",
          "      - name: fetch",
          "        type: clone",
          "        repo: " + repo.toUri(),
          "        ref: main",
          "        into: checkout",
          "      - name: apply",
          "        type: apply",
          "        changelog: checkout/db/changelog.sql",
          "      - name: undo-preview",
          "        type: preview",
          "        rollback: true",
          "        count: 1",
          "        changelog: checkout/db/changelog.sql", ""));

      DbopsProcess run = run(pipeline);

      assertThat(run.exitCode()).as(run.text()).isZero();
      assertThat(dir.resolve("checkout/db/changelog.sql")).exists();
      assertThat(run.text()).contains("[test/undo-preview]").contains("DROP TABLE order_lines");
      // the preview changed nothing: both tables and both history rows are still there
      assertThat(db.tableExists("order_lines")).isTrue();
      try (Connection c = db.connect()) {
        assertThat(ids(c)).containsExactly("1-orders", "2-order-lines");
      }
    }
  }

  private static Path goodPipeline(String dir, String url, String username) throws Exception {
    return Pipelines.copy("good", List.of("pipeline.yaml", "changelog.yaml"), work.resolve(dir),
        Map.of("url", url, "username", username));
  }

  private static DbopsProcess run(Path pipeline) throws Exception {
    return DbopsProcess.run(work, Map.of(), RUN_TIMEOUT, "run", pipeline.toString(), "--server", serverUrl);
  }

  private static List<String> ids(Connection c) throws Exception {
    List<String> ids = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id FROM DATABASECHANGELOG WHERE author = 'e2e' ORDER BY orderexecuted")) {
      while (rs.next()) {
        ids.add(rs.getString(1));
      }
    }
    return ids;
  }

  private static List<Path> podLogsOfDelegate() throws Exception {
    Path pods = work.resolve("delegate/pods");
    if (!Files.isDirectory(pods)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(pods)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".log")).toList();
    }
  }
}
