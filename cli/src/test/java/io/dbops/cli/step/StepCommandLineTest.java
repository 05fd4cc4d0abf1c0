package io.dbops.cli.step;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StepCommandLineTest {
  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream originalOut;
  private PrintStream originalErr;

  @BeforeEach
  void capture() throws Exception {
    originalOut = System.out;
    originalErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    Files.writeString(dir.resolve("changelog.sql"), """
        --liquibase formatted sql

        --changeset cli:1
        CREATE TABLE things (id INT PRIMARY KEY);

        --changeset cli:2
        INSERT INTO things VALUES (1);
        """);
  }

  @AfterEach
  void restore() {
    System.setOut(originalOut);
    System.setErr(originalErr);
  }

  @Test
  void appliesAChangelogDirectlyAndThenFindsItUpToDate() throws Exception {
    String url = "jdbc:h2:file:" + dir.resolve("db");
    String changelog = dir.resolve("changelog.sql").toString();

    assertThat(Main.run("step", "apply", "--search-path", dir.toString(), "--changelog", changelog, "--url", url)).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("changesetsApplied: 2")
        .contains("preStartTag: dbops-pre-")
        .contains("apply SUCCEEDED");
    try (var c = DriverManager.getConnection(url); var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM things")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(1);
    }

    out.reset();
    assertThat(Main.run("step", "status", "--search-path", dir.toString(), "--changelog", changelog, "--url", url, "--output", "json")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("\"status\":\"SUCCEEDED\"").contains("\"pending\":\"0\"");
  }

  @Test
  void refusesExecuteCommandUnlessAllowedOnTheCommandLine() throws Exception {
    Path canary = dir.resolve("canary");
    Files.writeString(dir.resolve("command.yaml"), """
        databaseChangeLog:
          - changeSet:
              id: "1"
              author: cli
              changes:
                - executeCommand:
                    executable: touch
                    args:
                      - arg:
                          value: "%s"
        """.formatted(canary));
    String changelog = dir.resolve("command.yaml").toString();
    String url = "jdbc:h2:file:" + dir.resolve("db3");

    assertThat(Main.run("step", "apply", "--search-path", dir.toString(), "--changelog", changelog, "--url", url)).isEqualTo(1);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("changeset command.yaml::1::cli uses executeCommand,"
        + " which this delegate does not allow (rule: change types; to allow it set"
        + " DBOPS_STEP_ALLOW_CHANGE_TYPES=executeCommand on the delegate)");
    assertThat(canary).doesNotExist();

    assertThat(Main.run("step", "apply", "--search-path", dir.toString(), "--changelog", changelog, "--url", url,
        "--allow-change-types", "executeCommand")).isZero();
    assertThat(canary).exists();
  }

  @Test
  void failsWithTheChangesetAndTheDatabaseMessage() throws Exception {
    Files.writeString(dir.resolve("bad.sql"), """
        --liquibase formatted sql

        --changeset cli:bad-1
        CREATE TABLE broken (id INT PRIMARY KEY,,);
        """);

    int exit = Main.run("step", "apply", "--search-path", dir.toString(), "--changelog", dir.resolve("bad.sql").toString(),
        "--url", "jdbc:h2:file:" + dir.resolve("db2"));

    assertThat(exit).isEqualTo(1);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("bad.sql::bad-1::cli").contains("Syntax error")
        .contains("apply FAILED after").contains("ms (error above)");
    // The failure once: the log's ERROR line, not Liquibase's details nor the closing line again.
    assertThat(out.toString(StandardCharsets.UTF_8).split("Syntax error", -1)).hasSize(2);
  }

  @Test
  void reportsEveryBadOptionAtOnceWithExitCode78() {
    int exit = Main.run("step", "explode", "--search-path", dir.toString(), "--changelog", dir.resolve("missing.yaml").toString(),
        "--url", "jdbc:h2:mem:x", "--output", "xml");

    assertThat(exit).isEqualTo(78);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("KIND must be apply, preview, rollback, status, validate, tag, sync, drift, policy, history or clone,"
            + " not 'explode'")
        .contains("--output must be text or json, not 'xml'")
        .contains("missing.yaml does not exist");
  }

  @Test
  void syncMarksTheNextChangesetAppliedWithoutRunningIt() throws Exception {
    String url = "jdbc:h2:file:" + dir.resolve("db3");

    int exit = Main.run("step", "sync", "--search-path", dir.toString(), "--next-only", "--changelog", dir.resolve("changelog.sql").toString(), "--url", url);

    assertThat(exit).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("synced: 1").contains("SYNCED").contains("sync SUCCEEDED");
    try (var c = DriverManager.getConnection(url);
        var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM DATABASECHANGELOG WHERE ID = '1'")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(1);
    }
  }

  @Test
  void driftReportsAHandMadeTableAndFailsWhenAsked() throws Exception {
    String url = "jdbc:h2:file:" + dir.resolve("db4");
    String changelog = dir.resolve("changelog.sql").toString();
    assertThat(Main.run("step", "apply", "--search-path", dir.toString(), "--changelog", changelog, "--url", url)).isZero();
    try (var c = DriverManager.getConnection(url)) {
      c.createStatement().execute("CREATE TABLE handmade (id INT)");
    }
    out.reset();

    int exit = Main.run("step", "drift", "--search-path", dir.toString(), "--fail-on-drift", "--changelog", changelog, "--url", url);

    assertThat(exit).isEqualTo(1);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("Drift: extra table HANDMADE").contains("driftCount: 1")
        .contains("drift FAILED");
  }

  @Test
  void policyFailsOnADropTableNamingRuleAndChangeset() throws Exception {
    Files.writeString(dir.resolve("drop.sql"), """
        --liquibase formatted sql

        --changeset cli:d1
        DROP TABLE things;
        """);
    Files.writeString(dir.resolve("rules.yaml"), "rules:\n  - id: no-insert\n    pattern: '^INSERT'\n    severity: warning\n");

    int exit = Main.run("step", "policy", "--search-path", dir.toString(), "--changelog", dir.resolve("drop.sql").toString(),
        "--policy-file", dir.resolve("rules.yaml").toString(), "--url", "jdbc:h2:file:" + dir.resolve("db5"));

    assertThat(exit).isEqualTo(1);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("rule drop-table").contains("drop.sql::d1::cli")
        .contains("DROP TABLE things").contains("policy FAILED");
  }

  @Test
  void historyPrintsTheAppliedChangesetsAsATableAndAsJson() throws Exception {
    String url = "jdbc:h2:file:" + dir.resolve("db6");
    assertThat(Main.run("step", "apply", "--search-path", dir.toString(), "--changelog", dir.resolve("changelog.sql").toString(), "--url", url,
        "--tag", "v1")).isZero();
    out.reset();

    assertThat(Main.run("step", "history", "--url", url)).isZero();
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(text).contains("3 changeset(s) recorded in DATABASECHANGELOG, oldest first:")
        .containsPattern("EXECUTED\\s+changelog\\.sql::1::cli  deployment=\\d+  checksum=9:")
        .contains("changelog.sql::2::cli  tag=v1").contains("count: 3").contains("history SUCCEEDED");
    assertThat(text).doesNotContain("\"history\"");

    out.reset();
    assertThat(Main.run("step", "history", "--url", url, "--output", "json")).isZero();
    var result = io.dbops.support.Json.mapper().readTree(out.toString(StandardCharsets.UTF_8));
    assertThat(result.get("status").asText()).isEqualTo("SUCCEEDED");
    var rows = io.dbops.support.Json.mapper().readTree(result.get("outputs").get("history").asText());
    assertThat(rows).hasSize(3);
    assertThat(rows.get(1).get("id").asText()).isEqualTo("1");
    assertThat(rows.get(2).get("tag").asText()).isEqualTo("v1");
    assertThat(rows.get(2).get("execType").asText()).isEqualTo("EXECUTED");
    assertThat(rows.get(2).get("orderExecuted").asInt()).isEqualTo(3);
    assertThat(rows.get(2).get("checksum").asText()).startsWith("9:");
    assertThat(rows.get(2).get("dateExecuted").asText()).isNotEmpty();
    assertThat(rows.get(2).get("deploymentId").asText()).isNotEmpty();
    assertThat(rows.get(2).get("file").asText()).isEqualTo("changelog.sql");
  }

  @Test
  void previewRollbackPrintsTheUndoSqlAndChangesNothing() throws Exception {
    Files.writeString(dir.resolve("undo.sql"), """
        --liquibase formatted sql

        --changeset cli:u1
        CREATE TABLE undoable (id INT PRIMARY KEY);
        --rollback DROP TABLE undoable;
        """);
    String url = "jdbc:h2:file:" + dir.resolve("db7");
    String changelog = dir.resolve("undo.sql").toString();
    assertThat(Main.run("step", "apply", "--search-path", dir.toString(), "--changelog", changelog, "--url", url)).isZero();
    out.reset();

    int exit = Main.run("step", "preview", "--search-path", dir.toString(), "--rollback", "--count", "1", "--changelog", changelog, "--url", url);

    assertThat(exit).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("DROP TABLE undoable").contains("rollbackChangesets: 1")
        .contains("preview SUCCEEDED");
    try (var c = DriverManager.getConnection(url);
        var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM DATABASECHANGELOG WHERE ID = 'u1'")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(1);
      c.createStatement().executeQuery("SELECT COUNT(*) FROM undoable").close(); // still there
    }
  }

  @Test
  void cloneChecksOutATagOfALocalRepositoryAndPrintsTheCommit() throws Exception {
    Path repo = dir.resolve("source");
    String commit;
    try (var git = org.eclipse.jgit.api.Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
      Files.copy(dir.resolve("changelog.sql"), repo.resolve("changelog.sql"));
      git.add().addFilepattern("changelog.sql").call();
      commit = git.commit().setMessage("changelog").setAuthor("T", "t@example.com").setCommitter("T", "t@example.com")
          .setSign(false).call().name();
      git.tag().setName("v1").call();
    }

    int exit = Main.run("step", "clone", "--repo", repo.toUri().toString(), "--ref", "v1",
        "--into", dir.resolve("ws/changelogs").toString());

    assertThat(exit).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("commit: " + commit).contains("refType: tag")
        .contains("directory: " + dir.resolve("ws/changelogs")).contains("clone SUCCEEDED");
    assertThat(dir.resolve("ws/changelogs/changelog.sql")).exists();
  }

  @Test
  void cloneRejectsMissingOptionsAndAPasswordInTheUrlWithExitCode78() {
    int exit = Main.run("step", "clone", "--repo", "https://bob:hunter22@git.example.com/x.git", "--depth", "-1");

    assertThat(exit).isEqualTo(78);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("--repo https://bob:**************@git.example.com/x.git contains a password")
        .contains("--into is required").contains("--depth must be 0 (full history) or more, not -1")
        .doesNotContain("hunter22");
  }

  @Test
  void usesTheTargetsLiquibaseTableNames() throws Exception {
    String url = "jdbc:h2:file:" + dir.resolve("tables");

    int exit = Main.run("step", "apply", "--search-path", dir.toString(), "--changelog", "changelog.sql", "--url", url,
        "--database-changelog-table-name", "app_history", "--database-changelog-lock-table-name", "app_history_lock");

    assertThat(exit).as(out.toString(StandardCharsets.UTF_8)).isZero();
    try (var c = DriverManager.getConnection(url);
        var rs = c.createStatement().executeQuery("SELECT FILENAME, ID FROM app_history WHERE ID = '1'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("changelog.sql");
    }
    try (var c = DriverManager.getConnection(url);
        var rs = c.getMetaData().getTables(null, null, "DATABASECHANGELOG", null)) {
      assertThat(rs.next()).isFalse();
    }
  }

  @Test
  void refusesBadTableNamesAndAChangelogOutsideTheSearchPathWithExitCode78() throws Exception {
    Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));

    int exit = Main.run("step", "status", "--search-path", elsewhere.toString(),
        "--changelog", dir.resolve("changelog.sql").toString(), "--url", "jdbc:h2:mem:x",
        "--database-changelog-table-name", "history;drop", "--liquibase-schema-name", "9x");

    assertThat(exit).isEqualTo(78);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("--changelog " + dir.resolve("changelog.sql") + " is not inside the search path " + elsewhere
            + ": Liquibase records each changeset's path relative to the search path")
        .contains("--database-changelog-table-name must be a plain identifier (letters, digits, '_' and '$',"
            + " starting with a letter or '_', at most 63 characters), not 'history;drop'")
        .contains("--liquibase-schema-name must be a plain identifier");
  }
}
