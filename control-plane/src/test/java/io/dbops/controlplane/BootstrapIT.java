package io.dbops.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.controlplane.config.MetricsSettings;
import io.dbops.controlplane.identity.AdminBootstrap;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The first admin token, and the metrics port. */
class BootstrapIT {
  @TempDir Path dir;

  @Test
  void theFirstStartWritesAPrivateAdminTokenAndLaterStartsKeepIt() throws Exception {
    Path dataDir = dir.resolve("server");
    String token;
    try (RootLogCapture logs = new RootLogCapture();
        ControlPlane first = new ControlPlane(Fixtures.config(dataDir))) {
      first.start();
      Path file = dataDir.resolve(AdminBootstrap.FILE);
      assertThat(file).exists();
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
          .isEqualTo("rw-------");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir)))
          .isEqualTo("rwx------");
      token = first.adminToken();
      assertThat(token).startsWith("dbops_pat_").hasSize("dbops_pat_".length() + 43);
      assertThat(Files.readString(file).trim()).isEqualTo(token);
      assertThat(logs.text()).contains(file.toAbsolutePath().toString()).doesNotContain(token);
      TestClient.Reply me = TestClient.of(first).get("/api/v1/whoami");
      assertThat(me.json().path("roles").toString()).isEqualTo("[\"admin\"]");
      assertThat(me.json().path("name").asText()).isEqualTo("bootstrap-admin");
    }
    try (RootLogCapture logs = new RootLogCapture();
        ControlPlane second = new ControlPlane(Fixtures.config(dataDir))) {
      second.start();
      assertThat(second.adminToken()).isEqualTo(token);
      assertThat(logs.text()).doesNotContain("Created the first admin API token");
      assertThat(TestClient.of(second).get("/api/v1/whoami").code()).isEqualTo(200);
    }
    try (Connection c = AccessFixture.h2(dataDir);
        ResultSet rs = c.createStatement().executeQuery(
            "SELECT COUNT(*), MAX(token_hash) FROM api_tokens")) {
      rs.next();
      assertThat(rs.getInt(1)).as("one admin, created once").isEqualTo(1);
      assertThat(rs.getString(2)).doesNotContain(token).hasSize(64);
    }
  }

  @Test
  void aSeparateMetricsPortIsOpenWhileTheMainPortNeedsAToken() {
    try (ControlPlane cp = new ControlPlane(Fixtures.builder(dir)
        .metrics(new MetricsSettings(0, false)).build())) {
      cp.start();
      TestClient metricsPort = new TestClient("http://127.0.0.1:" + cp.metricsPort(), null);
      assertThat(metricsPort.get("/metrics").code()).isEqualTo(200);
      assertThat(metricsPort.get("/api/v1/executions").code()).as("nothing else there")
          .isEqualTo(404);
      assertThat(TestClient.of(cp).anonymous().get("/metrics").code()).isEqualTo(401);
    }
  }

  @Test
  void metricsOpenOpensTheMainPortsMetricsOnly() {
    try (ControlPlane cp = new ControlPlane(Fixtures.builder(dir)
        .metrics(new MetricsSettings(null, true)).build())) {
      cp.start();
      TestClient anonymous = TestClient.of(cp).anonymous();
      assertThat(anonymous.get("/metrics").code()).isEqualTo(200);
      assertThat(anonymous.get("/api/v1/executions").code()).isEqualTo(401);
      assertThat(cp.metricsPort()).isEqualTo(-1);
    }
  }
}
