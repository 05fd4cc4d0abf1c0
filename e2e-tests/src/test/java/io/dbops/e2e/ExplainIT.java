package io.dbops.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.support.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Executions that explain themselves (issue #15 part 4), against the real distribution: a stage no
 * delegate can take (selectors, an unreachable database) is announced within 10 s naming each
 * delegate's reason, then fails; {@code dbops execution show} shows who started a run, from where,
 * its target and delegate; {@code --output json} parses; Ctrl-C in {@code dbops run} says the run
 * continues; the exit codes of {@code dbops run}.
 */
class ExplainIT {
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(3);
  private static final Pattern EXECUTION_ID = Pattern.compile("Execution (ex-[a-z2-7]{12}) ");

  @TempDir static Path work;
  private static Cluster cluster;
  private static Cluster.Server server;

  @BeforeAll
  static void start() throws Exception {
    cluster = new Cluster(work);
    server = cluster.server("server", 0, Map.of("DBOPS_STAGE_WAIT_FOR_DELEGATE_SECONDS", "8"));
    // Under heavy load the server may cut a slow request (408, min body rate): try again.
    java.util.concurrent.atomic.AtomicReference<String> created =
        new java.util.concurrent.atomic.AtomicReference<>();
    await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> {
      created.set(server.api().createToken("e2e"));
      return true;
    });
    String token = created.get();
    // 127.0.0.1:1 is allowed but nothing listens there: the reachability check fails
    Map<String, String> env = new HashMap<>(Cluster.allowlists(work));
    env.put("DBOPS_ALLOW_HOSTS", env.get("DBOPS_ALLOW_HOSTS") + ",127.0.0.1:1");
    env.put("DBOPS_TAGS", "eu");
    cluster.delegate(server.url(), token, "alpha", "alpha", env);
    env.put("DBOPS_TAGS", "us");
    cluster.delegate(server.url(), token, "beta", "beta", env);
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static Path pipeline(String dir, String url, List<String> selectors) throws Exception {
    Path d = Files.createDirectories(work.resolve(dir));
    Files.writeString(d.resolve("changelog.sql"), String.join("\n", "--liquibase formatted sql",
        "--changeset e2e:1-widgets", "CREATE TABLE widgets (id INT PRIMARY KEY);", ""));
    Path pipeline = d.resolve("pipeline.yaml");
    Files.writeString(pipeline, String.join("\n",
        "name: explain-" + dir,
        "stages:",
        "  - name: dev",
        "    database:",
        "      url: " + url,
        "      username: sa",
        selectors.isEmpty() ? "" : "    delegateSelectors: [" + String.join(", ", selectors) + "]",
        "    steps:",
        "      - name: apply",
        "        type: apply",
        "        changelog: changelog.sql", ""));
    return pipeline;
  }

  private static DbopsProcess cli(Map<String, String> env, String... args) throws Exception {
    return DbopsProcess.run(work, env, RUN_TIMEOUT, args);
  }

  private static String executionId(DbopsProcess p) {
    Matcher m = EXECUTION_ID.matcher(p.text());
    assertThat(m.find()).as(p.text()).isTrue();
    return m.group(1);
  }

  /** Starts `dbops run`, returns once the announcement is printed, checking it came within 10 s. */
  private static DbopsProcess runUntilAnnounced(Path pipeline) throws Exception {
    DbopsProcess run = DbopsProcess.start(work, Map.of(), "run", pipeline.toString(),
        "--server", server.url());
    run.awaitLine("submitted to", Duration.ofSeconds(90));
    long submitted = System.nanoTime();
    run.awaitLine("no delegate can take it", Duration.ofSeconds(10));
    assertThat(Duration.ofNanos(System.nanoTime() - submitted)).isLessThan(Duration.ofSeconds(10));
    return run;
  }

  /**
   * {@code -INT}, as Ctrl-C sends; {@code -TERM} when this test runs with SIGINT ignored (a build
   * started in the background by a non-interactive shell, which ignores SIGINT for its children):
   * the ignored disposition is inherited by the CLI, whose JVM then keeps ignoring it. The CLI
   * treats both signals alike (InterruptNotice).
   */
  static String interruptSignal() throws java.io.IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("SigIgn:")) {
        long ignored = Long.parseUnsignedLong(line.substring(7).trim(), 16);
        return (ignored & (1L << (2 - 1))) != 0 ? "-TERM" : "-INT";
      }
    }
    return "-INT";
  }

  private static int exitOf(DbopsProcess p) throws Exception {
    await().atMost(RUN_TIMEOUT).until(() -> !p.isAlive());
    return p.exitCode();
  }

  @Test
  void aStageWhoseSelectorsMatchNoDelegateIsAnnouncedWithinSecondsNamingEachDelegate() throws Exception {
    DbopsProcess run = runUntilAnnounced(pipeline("selectors",
        "jdbc:h2:file:" + work.resolve("selectors/db"), List.of("pci")));
    String line = run.awaitLine("no delegate can take it", Duration.ofSeconds(1));
    assertThat(line).contains("alpha (instance ").contains("beta (instance ")
        .contains("missing tags [pci]").contains("waiting up to 8 s");
    assertThat(exitOf(run)).as(run.text()).isEqualTo(1);
    assertThat(run.text()).contains("no eligible delegate for init_stage of stage dev")
        .contains("FAILED");
  }

  @Test
  void aStageWhoseDatabaseNoDelegateCanReachIsAnnouncedWithEachDelegatesReason() throws Exception {
    DbopsProcess run = runUntilAnnounced(pipeline("unreachable",
        "jdbc:postgresql://127.0.0.1:1/orders", List.of()));
    String line = run.awaitLine("no delegate can take it", Duration.ofSeconds(1));
    assertThat(line).contains("alpha (instance ").contains("beta (instance ")
        .contains("cannot reach 127.0.0.1:1");
    assertThat(exitOf(run)).as(run.text()).isEqualTo(1);
    String id = executionId(run);
    DbopsProcess show = cli(Map.of(), "execution", "show", id, "--server", server.url());
    assertThat(show.exitCode()).as(show.text()).isZero();
    assertThat(show.text()).contains("waiting:").contains("cannot reach 127.0.0.1:1")
        .contains("no_delegate [dev] by dbops");
  }

  @Test
  void executionShowTellsWhoStartedItFromWhereTheTargetAndTheDelegateAndJsonParses() throws Exception {
    Path pipeline = pipeline("good", "jdbc:h2:file:" + work.resolve("good/db"), List.of("eu"));
    DbopsProcess run = cli(Map.of(), "run", pipeline.toString(), "--server", server.url(),
        "--output", "json");
    assertThat(run.exitCode()).as(run.text()).isZero();
    // stdout is one JSON document, printed last (the log lines went to stderr)
    List<String> lines = run.lines();
    JsonNode view = Json.mapper().readTree(lines.get(lines.size() - 1));
    String id = view.path("id").asText();
    assertThat(view.path("status").asText()).isEqualTo("SUCCEEDED");
    assertThat(view.path("origin").path("source").asText()).isEqualTo("cli");
    assertThat(view.path("stages").get(0).path("delegateName").asText()).isEqualTo("alpha");

    DbopsProcess show = cli(Map.of(), "execution", "show", id, "--server", server.url());
    assertThat(show.exitCode()).as(show.text()).isZero();
    assertThat(show.text())
        .contains("Execution " + id + ": SUCCEEDED")
        .contains("pipeline:    explain-good (ad hoc)")
        .containsPattern("started by:  bootstrap-admin with token bootstrap-admin \\([^)]+\\) from cli")
        .contains("target:    jdbc:h2:file:" + work.resolve("good/db"))
        .containsPattern("delegate:  alpha \\(instance [^)]+\\)")
        .containsPattern("step apply \\(apply\\): 1 changeset applied.* in \\d+\\.\\d s");

    JsonNode shown = json(cli(Map.of(), "execution", "show", id, "-o", "json", "--server", server.url()));
    assertThat(shown.path("origin").path("startedBy").asText()).isEqualTo("bootstrap-admin");
    assertThat(shown.path("stages").get(0).path("target").asText()).startsWith("jdbc:h2:file:");
    JsonNode listed = json(cli(Map.of(), "executions", "-o", "json", "--server", server.url()));
    assertThat(listed.isArray()).isTrue();
    assertThat(listed.findValuesAsText("id")).contains(id);
    JsonNode delegates = json(cli(Map.of(), "delegates", "-o", "json", "--server", server.url()));
    assertThat(delegates.findValuesAsText("name")).contains("alpha", "beta");
    assertThat(delegates.get(0).path("lastSeenAt").asText()).isNotBlank();
    DbopsProcess table = cli(Map.of(), "delegates", "--server", server.url());
    assertThat(table.text()).contains("LAST HEARTBEAT").contains("alpha").contains("eu");
    JsonNode tokens = json(cli(Map.of(), "token", "list", "-o", "json", "--server", server.url()));
    assertThat(tokens.findValuesAsText("name")).contains("e2e");
  }

  private static JsonNode json(DbopsProcess p) throws Exception {
    assertThat(p.exitCode()).as(p.text()).isZero();
    return Json.mapper().readTree(p.text());
  }

  @Test
  void ctrlCSaysTheRunContinuesOnTheServerAndHowToFollowOrStopIt() throws Exception {
    // The run waits for an approval (an hour by default), so it cannot end on its own before the
    // signal however slow the machine is: before, a stage that no delegate could take ended after
    // the server's 8 s wait, and under two CPU hogs that came first.
    Path d = Files.createDirectories(work.resolve("ctrl-c"));
    Path pipeline = Files.writeString(d.resolve("pipeline.yaml"), String.join("\n",
        "name: explain-ctrl-c",
        "stages:",
        "  - name: dev",
        "    database:",
        "      url: jdbc:h2:file:" + work.resolve("ctrl-c/db"),
        "      username: sa",
        "    steps:",
        "      - name: approve",
        "        type: approval", ""));
    DbopsProcess run = DbopsProcess.start(work, Map.of(), "run", pipeline.toString(),
        "--server", server.url());
    run.awaitLine("submitted to", Duration.ofSeconds(90));
    String id = executionId(run);
    await().atMost(Duration.ofSeconds(120)).until(() -> cli(Map.of(), "execution", "show", id,
        "--server", server.url()).text().contains("WAITING_APPROVAL"));
    String signal = interruptSignal();
    new ProcessBuilder("kill", signal, Long.toString(run.pid())).start().waitFor(10, TimeUnit.SECONDS);
    // 128 + the signal's number, as the JVM exits on it
    assertThat(exitOf(run)).as(run.text()).isEqualTo(signal.equals("-INT") ? 130 : 143);
    assertThat(run.text()).contains("Interrupted: execution " + id + " continues on the server")
        .contains("`dbops logs -f " + id + "`").contains("`dbops abort " + id + "`");
    // it did continue: it still waits on the server until it is aborted
    assertThat(cli(Map.of(), "execution", "show", id, "--server", server.url()).text())
        .contains("WAITING_APPROVAL");
    DbopsProcess abort = cli(Map.of(), "abort", id, "--server", server.url());
    assertThat(abort.exitCode()).as(abort.text()).isZero();
    assertThat(abort.text()).contains("Abort of execution " + id + " requested");
    await().atMost(Duration.ofSeconds(60)).until(() -> cli(Map.of(), "execution", "show", id,
        "--server", server.url()).text().contains("Execution " + id + ": FAILED"));
  }

  @Test
  void theExitCodesOfRunAreTheDocumentedOnes() throws Exception {
    Path good = pipeline("codes", "jdbc:h2:file:" + work.resolve("codes/db"), List.of());
    Path invalid = Files.writeString(work.resolve("codes/invalid.yaml"), "name: x\nstages: []\n");
    assertThat(cli(Map.of(), "run", invalid.toString(), "--server", server.url()).exitCode())
        .isEqualTo(65);
    assertThat(cli(Map.of(), "run", good.toString(), "--server", "http://127.0.0.1:1").exitCode())
        .isEqualTo(69);
    assertThat(cli(Map.of("DBOPS_API_TOKEN", "dbops_pat_nope"), "run", good.toString(),
        "--server", server.url()).exitCode()).isEqualTo(77);
    assertThat(cli(Map.of(), "run", good.toString(), "--output", "yaml", "--server", server.url())
        .exitCode()).isEqualTo(78);
    DbopsProcess help = cli(Map.of(), "run", "--help");
    assertThat(help.text()).contains("Exit codes:").contains("130").contains("dbops abort ID");
    DbopsProcess ok = cli(Map.of(), "run", good.toString(), "--no-follow", "-o", "json",
        "--server", server.url());
    assertThat(ok.exitCode()).as(ok.text()).isZero();
    List<String> lines = ok.lines();
    assertThat(Json.mapper().readTree(lines.get(lines.size() - 1)).path("id").asText()).startsWith("ex-");
  }
}
