package io.dbops.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbops.testsupport.TestDatabase;
import io.dbops.testsupport.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control plane chart's pod, run as a local process of the distribution with exactly the
 * rendered environment, on a real PostgreSQL database.
 */
class ChartedControlPlaneIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path work;

  @Test
  void serverStartsOnPostgresWithTheRenderedEnvironment() throws Exception {
    try (TestDatabase db = TestDatabases.create(TestDatabases.Kind.POSTGRES)) {
      int port = Http.freePort();
      Manifests rendered = Charts.render(Charts.CONTROL_PLANE,
          Map.of("server.port", port, "database.url", db.jdbcUrl()), "control-plane-it-values.yaml");
      var cluster = new LocalPod.Cluster(
          Map.of("dbops-db", Map.of("username", db.username(), "password", db.password())), Map.of(), Map.of());
      LocalPod pod = LocalPod.of(rendered, "control-plane", cluster, work);

      Map<String, String> env = pod.env();
      assertThat(env).containsEntry("DBOPS_DB_URL", db.jdbcUrl()).containsEntry("DBOPS_DB_USER", db.username())
          .containsEntry("DBOPS_SERVER_BIND", "0.0.0.0").containsEntry("DBOPS_LOG_FORMAT", "json")
          // tls.terminatedUpstream: the only way the chart serves plain http, said explicitly
          .containsEntry("DBOPS_ALLOW_INSECURE", "true");
      // only paths into the pod's volumes differ from the rendered values
      assertThat(pod.rewritten()).containsOnlyKeys("DBOPS_DATA_DIR", "DBOPS_MASTER_KEY_FILE");
      assertThat(Files.readString(Path.of(env.get("DBOPS_MASTER_KEY_FILE"))))
          .isEqualTo("q3J9yXo1Vb6l0m2XcQ4nF8sT5uW7zA1bC3dE5fG7hI8=");

      Path home = LocalProcess.distribution();
      int grace = rendered.podSpec().path("terminationGracePeriodSeconds").asInt();
      try (LocalProcess server = LocalProcess.start("control plane", pod.command(home), env, work)) {
        String base = "http://127.0.0.1:" + port;
        server.awaitUntil("/readyz answers 200", Duration.ofSeconds(90),
            () -> Http.get(base + "/readyz").status() == 200);
        assertThat(Http.get(base + "/healthz").status()).isEqualTo(200);

        // the schema went to PostgreSQL, not to an embedded H2 file
        assertThat(db.tableExists("tasks")).isTrue();
        // API tokens (contract G): the bootstrap admin token in the data directory, when the server writes one
        Map<String, String> cli = Http.cliEnv(Path.of(env.get("DBOPS_DATA_DIR")));
        try (var files = Files.walk(work)) {
          assertThat(files.map(Path::toString)).noneMatch(f -> f.endsWith(".mv.db"));
        }
        // and the launcher's token command works against it
        LocalProcess token = LocalProcess.run("token create", List.of(home.resolve("bin/dbops").toString(),
            "token", "create", "charted", "--server", base), cli, work, Duration.ofSeconds(60));
        assertThat(token.exitCode()).as(token.describe()).isZero();
        assertThat(token.lines().get(token.lines().size() - 1)).startsWith("dbops_");

        // the mounted master key file (DBOPS_MASTER_KEY_FILE) opens the secret store: a secret is
        // stored encrypted in PostgreSQL under it, and listed by name only
        Map<String, String> secretEnv = new java.util.HashMap<>(cli);
        secretEnv.put("CHARTED_PW", "charted-secret-value");
        LocalProcess secret = LocalProcess.run("secret create", List.of(home.resolve("bin/dbops").toString(),
            "secret", "create", "charted_pw", "--value-env", "CHARTED_PW", "--server", base),
            secretEnv, work, Duration.ofSeconds(60));
        assertThat(secret.exitCode()).as(secret.describe()).isZero();
        LocalProcess list = LocalProcess.run("secret list", List.of(home.resolve("bin/dbops").toString(),
            "secret", "list", "--server", base), cli, work, Duration.ofSeconds(60));
        assertThat(list.exitCode()).as(list.describe()).isZero();
        assertThat(String.join("\n", list.lines())).contains("charted_pw").doesNotContain("charted-secret-value");
        assertThat(db.queryLong("SELECT COUNT(*) FROM secrets WHERE name = 'charted_pw'"
            + " AND ciphertext NOT LIKE '%charted-secret-value%'")).isEqualTo(1);
        assertThat(db.queryLong("SELECT COUNT(*) FROM master_key_check")).isEqualTo(1);

        // DBOPS_LOG_FORMAT=json: log lines are JSON objects
        JsonNode ready = server.lines().stream().filter(l -> l.startsWith("{")).map(ChartedControlPlaneIT::json)
            .filter(j -> j.path("message").asText().startsWith("Control plane ready")).findFirst()
            .orElseThrow(() -> new AssertionError("no JSON 'Control plane ready' line; " + server.describe()));
        assertThat(ready.path("level").asText()).isEqualTo("INFO");

        // SIGTERM: it stops cleanly within the pod's grace period
        assertThat(server.terminate(Duration.ofSeconds(grace))).as(server.describe()).isZero();
      }
    }
  }

  private static JsonNode json(String line) {
    try {
      return JSON.readTree(line);
    } catch (java.io.IOException e) {
      throw new AssertionError("not JSON: " + line, e);
    }
  }
}
