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

    assertThat(Main.run("step", "apply", "--changelog", changelog, "--url", url)).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("changesetsApplied: 2")
        .contains("preStartTag: dbops-pre-")
        .contains("apply SUCCEEDED");
    try (var c = DriverManager.getConnection(url); var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM things")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(1);
    }

    out.reset();
    assertThat(Main.run("step", "status", "--changelog", changelog, "--url", url, "--output", "json")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("\"status\":\"SUCCEEDED\"").contains("\"pending\":\"0\"");
  }

  @Test
  void failsWithTheChangesetAndTheDatabaseMessage() throws Exception {
    Files.writeString(dir.resolve("bad.sql"), """
        --liquibase formatted sql

        --changeset cli:bad-1
        CREATE TABLE broken (id INT PRIMARY KEY,,);
        """);

    int exit = Main.run("step", "apply", "--changelog", dir.resolve("bad.sql").toString(),
        "--url", "jdbc:h2:file:" + dir.resolve("db2"));

    assertThat(exit).isEqualTo(1);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("bad.sql::bad-1::cli").contains("Syntax error");
  }

  @Test
  void reportsEveryBadOptionAtOnceWithExitCode78() {
    int exit = Main.run("step", "explode", "--changelog", dir.resolve("missing.yaml").toString(),
        "--url", "jdbc:h2:mem:x", "--output", "xml");

    assertThat(exit).isEqualTo(78);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("KIND must be apply, preview, rollback, status, validate, tag, sync, drift or policy, not 'explode'")
        .contains("--output must be text or json, not 'xml'")
        .contains("missing.yaml does not exist");
  }

  @Test
  void syncMarksTheNextChangesetAppliedWithoutRunningIt() throws Exception {
    String url = "jdbc:h2:file:" + dir.resolve("db3");

    int exit = Main.run("step", "sync", "--next-only", "--changelog", dir.resolve("changelog.sql").toString(), "--url", url);

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
    assertThat(Main.run("step", "apply", "--changelog", changelog, "--url", url)).isZero();
    try (var c = DriverManager.getConnection(url)) {
      c.createStatement().execute("CREATE TABLE handmade (id INT)");
    }
    out.reset();

    int exit = Main.run("step", "drift", "--fail-on-drift", "--changelog", changelog, "--url", url);

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

    int exit = Main.run("step", "policy", "--changelog", dir.resolve("drop.sql").toString(),
        "--policy-file", dir.resolve("rules.yaml").toString(), "--url", "jdbc:h2:file:" + dir.resolve("db5"));

    assertThat(exit).isEqualTo(1);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("rule drop-table").contains("drop.sql::d1::cli")
        .contains("DROP TABLE things").contains("policy FAILED");
  }
}
