package io.dbops.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.support.Secrets;
import io.dbops.testsupport.TestDatabase;
import io.dbops.testsupport.TestDatabases;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After whole runs in which a step prints its database password (plain and base64), no file of
 * the control plane (its embedded H2 database among them), of the delegate (state directory, pod
 * logs, outbox) or of the lite engine's spool, and no output of any process (server, delegate,
 * {@code dbops run}, {@code dbops logs}, {@code dbops secret}), holds the value or its base64 or
 * URL-encoded form. One run takes the password from {@code env:E2E_DB_PASSWORD} of the delegate,
 * one from the control plane's secret store ({@code <+secrets.getValue("e2e-db")>}). The step
 * prints it because Liquibase substitutes the step container's environment ({@code
 * ${DBOPS_DB_PASSWORD}}) into the changelog (see {@code pipelines/leak/changelog.sql}).
 */
class SecretScanIT {
  /** Unique per run, so a hit can only be this run's leak; PostgreSQL (trust) ignores them. */
  private static final String ENV_PASSWORD = "e2e-Pa55w0rd-" + UUID.randomUUID().toString().substring(0, 8);
  private static final String STORE_PASSWORD = "e2e-St0re+pw/" + UUID.randomUUID().toString().substring(0, 8);

  @TempDir Path work;
  private final List<String> outputs = new ArrayList<>();

  @Test
  void wholeRunsLeaveNoPlaintextSecretInAnyFileOrLog() throws Exception {
    Cluster.Server server;
    Cluster.Delegate delegate;
    try (Cluster cluster = new Cluster(work)) {
      server = cluster.server("server", 0, Map.of());
      String token = server.api().createToken("scan");
      delegate = cluster.delegate(server.url(), token, "scan", "delegate", Map.of("E2E_DB_PASSWORD", ENV_PASSWORD));
      DbopsProcess secret = DbopsProcess.run(work, Map.of("E2E_STORE_PASSWORD", STORE_PASSWORD),
          Duration.ofMinutes(1), "secret", "create", "e2e-db", "--value-env", "E2E_STORE_PASSWORD",
          "--server", server.url());
      outputs.add(secret.text());
      assertThat(secret.exitCode()).as(secret.text()).isZero();

      runLeakingPipeline(server, delegate, "fromenv", "env:E2E_DB_PASSWORD");
      runLeakingPipeline(server, delegate, "fromstore", "<+secrets.getValue(\"e2e-db\")>");
    }
    outputs.add(server.process().text());
    outputs.add(delegate.process().text());

    Map<String, String> forms = forms();
    for (String output : outputs) {
      forms.forEach((name, form) -> assertThat(output).as("process output, " + name).doesNotContain(form));
    }
    List<Path> scanned = new ArrayList<>(files(work));
    Path spool = Path.of(System.getProperty("java.io.tmpdir"), "dbops-log-spool");
    if (Files.isDirectory(spool)) {
      scanned.addAll(files(spool));
    }
    // The scan can see a leak: the control plane's database files hold the step's error as text,
    // with the mask where the value was.
    assertThat(scanned).as("a control plane file holding the masked error").anySatisfy(f -> {
      assertThat(f.startsWith(work.resolve("server"))).isTrue();
      assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).contains("leaked " + Secrets.MASK);
    });
    for (Path file : scanned) {
      String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
      forms.forEach((name, form) -> assertThat(bytes).as(file + ", " + name).doesNotContain(form));
    }
  }

  /** Runs the leaking pipeline as stage {@code stage} on a fresh database; checks its run and its logs. */
  private void runLeakingPipeline(Cluster.Server server, Cluster.Delegate delegate, String stage,
      String passwordFrom) throws Exception {
    try (TestDatabase db = TestDatabases.create(TestDatabases.Kind.POSTGRES)) {
      runLeakingPipeline(server, delegate, db, stage, passwordFrom);
    }
  }

  private void runLeakingPipeline(Cluster.Server server, Cluster.Delegate delegate, TestDatabase db, String stage,
      String passwordFrom) throws Exception {
    Path pipeline = Pipelines.copy("leak", List.of("pipeline.yaml", "changelog.sql"), work.resolve(stage),
        Map.of("url", db.jdbcUrl(), "username", db.username(), "stage", stage, "passwordFrom", passwordFrom));
    DbopsProcess run = DbopsProcess.run(work, Map.of(), Duration.ofMinutes(3),
        "run", pipeline.toString(), "--server", server.url());
    outputs.add(run.text());
    // The step did print the value, plain and base64, and the run shows only masks.
    assertThat(run.exitCode()).as(run.text()).isEqualTo(1);
    assertThat(run.text()).contains("leaked " + Secrets.MASK + " and " + Secrets.MASK);
    String execution = run.lines().stream().filter(l -> l.startsWith("Execution ")).findFirst()
        .orElseThrow().split(" ")[1];
    // Cleanup stops the pod (dbops-<execution>-<stage>) and ends the stage's delegate stream.
    delegate.process().awaitLine("-" + stage + " stopped", Duration.ofSeconds(60));
    String source = "[" + stage + "/_delegate] ";
    DbopsProcess logs = logsUntil(execution, server.url(), source + "Build pod dbops-");
    outputs.add(logs.text());
    assertThat(logs.text()).contains("plain=" + Secrets.MASK);
    // The delegate's own lines of the stage, in its stream, masked like the rest.
    String s = Pattern.quote(source);
    assertThat(logs.text())
        .containsPattern(s + "Starting build pod dbops-\\S+-" + stage + " for 2 step\\(s\\) and 1 secret"
            + " variable\\(s\\)")
        .containsPattern(s + "Build pod \\S+ is ready: lite engine at 127\\.0\\.0\\.1:\\d+")
        .contains(source + "Running step preview on the lite engine at 127.0.0.1:")
        .containsPattern(s + "Step preview SUCCEEDED in \\d+ ms, \\d+ log line\\(s\\)")
        .containsPattern(s + "ERROR Step apply FAILED in \\d+ ms, \\d+ log line\\(s\\): .*leaked "
            + Pattern.quote(Secrets.MASK))
        .containsPattern(s + "Build pod \\S+ stopped");
  }

  /** {@code dbops logs} of the execution, repeated until a line has {@code expected} and ends with "stopped". */
  private DbopsProcess logsUntil(String execution, String serverUrl, String expected) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      DbopsProcess logs = DbopsProcess.run(work, Map.of(), Duration.ofMinutes(1),
          "logs", execution, "--server", serverUrl, "--no-color");
      boolean done = logs.lines().stream().anyMatch(l -> l.contains(expected) && l.endsWith(" stopped"));
      if (done || System.nanoTime() > deadline) {
        return logs;
      }
    }
  }

  private static Map<String, String> forms() {
    Map<String, String> forms = new LinkedHashMap<>();
    for (Map.Entry<String, String> secret : Map.of("env ", ENV_PASSWORD, "store ", STORE_PASSWORD).entrySet()) {
      String name = secret.getKey();
      String password = secret.getValue();
      byte[] bytes = password.getBytes(StandardCharsets.UTF_8);
      forms.put(name + "plain", password);
      forms.put(name + "base64", Base64.getEncoder().withoutPadding().encodeToString(bytes));
      forms.put(name + "base64url", Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
      forms.put(name + "url-encoded", URLEncoder.encode(password, StandardCharsets.UTF_8));
    }
    return forms;
  }

  private static List<Path> files(Path dir) throws Exception {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).toList();
    }
  }
}
