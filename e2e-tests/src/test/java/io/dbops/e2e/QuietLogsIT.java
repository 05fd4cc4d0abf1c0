package io.dbops.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.testsupport.TestDatabase;
import io.dbops.testsupport.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A failing step's whole log, as {@code dbops run} and {@code dbops logs} show it: the failure
 * once per layer (the step, the delegate, the control plane) and once in the run's summary; a
 * preview that says nothing of applying. Real distribution, PostgreSQL.
 */
class QuietLogsIT {
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(3);
  private static final Pattern SOURCE = Pattern.compile("\\[([a-z0-9_/-]+)\\]");

  @TempDir Path work;

  @Test
  void aFailingStepIsReportedOncePerLayerAndAPreviewAppliesNothing() throws Exception {
    try (Cluster cluster = new Cluster(work); TestDatabase db = TestDatabases.create(TestDatabases.Kind.POSTGRES)) {
      Cluster.Server server = cluster.server("server", 0, Map.of());
      cluster.delegate(server.url(), server.api().createToken("e2e"), "e2e", "delegate", Map.of());
      Path dir = Files.createDirectories(work.resolve("project"));
      Files.writeString(dir.resolve("changelog.sql"), String.join("\n",
          "--liquibase formatted sql",
          "--changeset e2e:1-widgets",
          "CREATE TABLE widgets (id INT PRIMARY KEY);",
          "--changeset e2e:2-broken",
          "CREATE TABLE broken (id INT PRIMARY KEY,, name VARCHAR(10));", ""));
      Path pipeline = Files.writeString(dir.resolve("pipeline.yaml"), String.join("\n",
          "name: quiet",
          "stages:",
          "  - name: test",
          "    database: {url: '" + db.jdbcUrl() + "', username: " + db.username() + "}",
          "    steps:",
          "      - {name: preview, type: preview, changelog: changelog.sql}",
          "      - {name: apply, type: apply, changelog: changelog.sql}", ""));

      DbopsProcess run = DbopsProcess.run(work, Map.of(), RUN_TIMEOUT, "run", pipeline.toString(),
          "--server", server.url());

      assertThat(run.exitCode()).as(run.text()).isEqualTo(1);
      List<String> lines = run.lines();
      String id = lines.stream().filter(l -> l.startsWith("Execution ") && l.contains(" submitted to "))
          .findFirst().orElseThrow().split(" ")[1];
      assertThat(perSource(lines)).as(run.text())
          .containsExactlyEntriesOf(new TreeMap<>(Map.of("dbops", 1, "test/_delegate", 1, "test/apply", 1)));
      assertThat(lines).filteredOn(l -> l.contains("syntax error") && !SOURCE.matcher(l).find()).as(run.text())
          .singleElement().asString().startsWith("    apply (apply): FAILED: Changeset changelog.sql::2-broken::e2e");
      assertThat(run.text()).contains("Execution " + id + " FAILED after")
          .contains(": Stage test, step apply failed (error above).");
      assertThat(lines).filteredOn(l -> l.contains("[test/preview]")).as(run.text())
          .isNotEmpty().noneMatch(l -> l.contains("Applying") || l.contains("Applied"));
      assertThat(run.text()).doesNotContain("Running Changeset").doesNotContain("Exception Primary");

      DbopsProcess logs = DbopsProcess.run(work, Map.of(), RUN_TIMEOUT, "logs", id, "--server", server.url());
      assertThat(perSource(logs.lines())).as(logs.text())
          .containsExactlyEntriesOf(new TreeMap<>(Map.of("dbops", 1, "test/_delegate", 1, "test/apply", 1)));
    }
  }

  /** How many lines of each source ([stage/step], [dbops]) carry the database's error. */
  private static Map<String, Integer> perSource(List<String> lines) {
    Map<String, Integer> counts = new TreeMap<>();
    for (String line : lines) {
      Matcher m = SOURCE.matcher(line);
      if (line.contains("syntax error") && m.find()) {
        counts.merge(m.group(1), 1, Integer::sum);
      }
    }
    return counts;
  }
}
