package io.dbops.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A role that cannot start must say why and exit non-zero: a supervisor (Kubernetes, systemd, a
 * script) reads exit 0 as a clean stop and would not report the failure.
 */
class StartFailureIT {
  @TempDir Path dir;

  @Test
  void serverWhoseDatabaseIsUnreachableExitsNonZero() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    DbopsProcess server = DbopsProcess.run(dir, Map.of(
            "DBOPS_SERVER_PORT", "0",
            "DBOPS_DB_URL", "jdbc:postgresql://127.0.0.1:" + closedPort + "/nothing",
            "DBOPS_DB_USER", "postgres"),
        Duration.ofSeconds(90), "server");

    assertThat(server.exitCode()).as(server.text()).isNotZero();
    assertThat(server.text()).doesNotContain("listening on");
  }

  @Test
  void delegateWithInvalidConfigurationExitsWithTheConfigCode() throws Exception {
    DbopsProcess delegate = DbopsProcess.run(dir, Map.of(
            "DBOPS_SERVER_URL", "http://127.0.0.1:1",
            "DBOPS_TOKEN", "x",
            "DBOPS_CAPACITY", "ten"),
        Duration.ofSeconds(60), "delegate");

    assertThat(delegate.exitCode()).as(delegate.text()).isEqualTo(78);
    assertThat(delegate.text()).contains("DBOPS_CAPACITY").doesNotContain("\tat ");
  }

  @Test
  void delegateWhoseMetricsPortIsTakenExitsNonZero() throws Exception {
    try (ServerSocket taken = new ServerSocket(0)) {
      DbopsProcess delegate = DbopsProcess.run(dir, Map.of(
              "DBOPS_SERVER_URL", "http://127.0.0.1:1",
              "DBOPS_ALLOW_INSECURE", "true",
              "DBOPS_TOKEN", "x",
              "DBOPS_STATE_DIR", dir.resolve("state").toString(),
              "DBOPS_METRICS_BIND", "127.0.0.1",
              "DBOPS_METRICS_PORT", Integer.toString(taken.getLocalPort())),
          Duration.ofSeconds(60), "delegate");

      assertThat(delegate.exitCode()).as(delegate.text()).isNotZero();
      assertThat(delegate.text()).doesNotContain("started; endpoints on port");
    }
  }
}
