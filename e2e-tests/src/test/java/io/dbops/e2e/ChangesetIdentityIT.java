package io.dbops.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.testsupport.TestDatabase;
import io.dbops.testsupport.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pipeline and {@code dbops step} agree on which changesets a target has applied, whichever
 * directory {@code dbops step} runs from, on MariaDB with the history renamed to lower case (the
 * target's {@code databaseChangelogTableName}); a search path that would give the changesets a
 * second identity is refused with the one that reconciles it. Real distribution, real sockets.
 */
class ChangesetIdentityIT {
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(3);
  private static final String[] TABLES = {"--database-changelog-table-name", "databasechangelog",
      "--database-changelog-lock-table-name", "databasechangeloglock"};

  @TempDir Path work;

  @Test
  void pipelineAndStepAgreeOnAppliedChangesetsFromAnyDirectory() throws Exception {
    try (Cluster cluster = new Cluster(work); TestDatabase db = TestDatabases.create(TestDatabases.Kind.MARIADB)) {
      Cluster.Server server = cluster.server("server", 0, Map.of());
      String token = server.api().createToken("e2e");
      cluster.delegate(server.url(), token, "e2e", "delegate", Map.of());

      Path project = Files.createDirectories(work.resolve("project"));
      Files.createDirectories(project.resolve("db"));
      Path changelog = Files.writeString(project.resolve("db/changelog.sql"), String.join("\n",
          "--liquibase formatted sql",
          "--changeset e2e:1-orders",
          "CREATE TABLE orders (id INT PRIMARY KEY);",
          "--rollback DROP TABLE orders;",
          "--changeset e2e:2-lines",
          "CREATE TABLE order_lines (id INT PRIMARY KEY);",
          "--rollback DROP TABLE order_lines;", ""));
      Path pipeline = Files.writeString(project.resolve("pipeline.yaml"), String.join("\n",
          "name: identity",
          "stages:",
          "  - name: prod",
          "    database:",
          "      url: " + db.jdbcUrl(),
          "      username: " + db.username(),
          "      databaseChangelogTableName: databasechangelog",
          "      databaseChangelogLockTableName: databasechangeloglock",
          "    steps:",
          "      - {name: apply, type: apply, changelog: db/changelog.sql}", ""));

      DbopsProcess first = DbopsProcess.run(work, Map.of(), RUN_TIMEOUT, "run", pipeline.toString(),
          "--server", server.url());
      assertThat(first.exitCode()).as(first.text()).isZero();
      assertThat(first.text()).contains("2 changesets applied");
      // The pipeline recorded the path relative to its directory, in the lower-case table only.
      assertThat(history(db)).containsExactly("db/changelog.sql::1-orders", "db/changelog.sql::2-lines");
      assertThat(tables(db)).contains("databasechangelog").doesNotContain("DATABASECHANGELOG");

      // dbops step from the pipeline's directory (the default search path is the working directory).
      DbopsProcess here = step(project, db, "status", "--changelog", "db/changelog.sql");
      assertThat(here.exitCode()).as(here.text()).isZero();
      assertThat(here.text()).contains("Database is up to date: no pending changesets.");

      // From elsewhere, with the pipeline's directory as search path (relative or absolute changelog).
      Path elsewhere = Files.createDirectories(work.resolve("elsewhere"));
      DbopsProcess there = step(elsewhere, db, "status", "--search-path", project.toString(),
          "--changelog", "db/changelog.sql");
      assertThat(there.exitCode()).as(there.text()).isZero();
      assertThat(there.text()).contains("Database is up to date: no pending changesets.");
      DbopsProcess absolute = step(elsewhere, db, "status", "--search-path", project.toString(),
          "--changelog", changelog.toString());
      assertThat(absolute.text()).contains("Database is up to date: no pending changesets.");

      // A changelog outside the working directory, without --search-path: no relative path, refused.
      DbopsProcess outside = step(elsewhere, db, "status", "--changelog", changelog.toString());
      assertThat(outside.exitCode()).as(outside.text()).isEqualTo(78);
      assertThat(outside.text()).contains("is not inside the search path " + elsewhere + " (the working directory)");

      // From the changelog's own directory: another identity for every changeset, refused with the fix.
      DbopsProcess mismatch = step(project.resolve("db"), db, "apply", "--changelog", "changelog.sql");
      assertThat(mismatch.exitCode()).as(mismatch.text()).isEqualTo(1);
      assertThat(mismatch.text())
          .contains("Changeset changelog.sql::1-orders::e2e is recorded in databasechangelog under another path, as"
              + " db/changelog.sql::1-orders::e2e: Liquibase would take it for a new changeset and run it again")
          .contains("dbops step --search-path " + project + ";")
          .doesNotContain("Applying");
      assertThat(history(db)).hasSize(2);

      // A new changeset: both see it pending, and whichever applies it, the other agrees.
      Files.writeString(changelog, Files.readString(changelog) + String.join("\n",
          "--changeset e2e:3-notes", "CREATE TABLE notes (id INT PRIMARY KEY);", "--rollback DROP TABLE notes;", ""));
      DbopsProcess pending = step(elsewhere, db, "status", "--search-path", project.toString(),
          "--changelog", "db/changelog.sql");
      assertThat(pending.text()).contains("1 pending changeset(s):").contains("db/changelog.sql::3-notes::e2e");
      DbopsProcess applied = step(project, db, "apply", "--changelog", "db/changelog.sql");
      assertThat(applied.exitCode()).as(applied.text()).isZero();
      DbopsProcess second = DbopsProcess.run(work, Map.of(), RUN_TIMEOUT, "run", pipeline.toString(),
          "--server", server.url());
      assertThat(second.exitCode()).as(second.text()).isZero();
      assertThat(second.text()).contains("database is up to date, nothing to apply");
      assertThat(history(db)).containsExactly("db/changelog.sql::1-orders", "db/changelog.sql::2-lines",
          "db/changelog.sql::3-notes");
    }
  }

  private static DbopsProcess step(Path cwd, TestDatabase db, String kind, String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of("step", kind, "--url", db.jdbcUrl(), "--username", db.username()));
    all.addAll(List.of(TABLES));
    all.addAll(List.of(args));
    return DbopsProcess.run(cwd, Map.of(), RUN_TIMEOUT, all.toArray(String[]::new));
  }

  private static List<String> history(TestDatabase db) throws Exception {
    List<String> rows = new ArrayList<>();
    try (Connection c = db.connect(); ResultSet rs = c.createStatement().executeQuery(
        "SELECT filename, id FROM databasechangelog WHERE author = 'e2e' ORDER BY orderexecuted")) {
      while (rs.next()) {
        rows.add(rs.getString(1) + "::" + rs.getString(2));
      }
    }
    return rows;
  }

  private static List<String> tables(TestDatabase db) throws Exception {
    List<String> names = new ArrayList<>();
    try (Connection c = db.connect(); ResultSet rs = c.getMetaData().getTables(c.getCatalog(), null, "%", null)) {
      while (rs.next()) {
        names.add(rs.getString("TABLE_NAME"));
      }
    }
    return names;
  }
}
