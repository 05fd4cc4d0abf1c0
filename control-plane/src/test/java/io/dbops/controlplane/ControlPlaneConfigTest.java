package io.dbops.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbops.config.ConfigException;
import io.dbops.controlplane.config.ControlPlaneConfig;
import io.dbops.controlplane.config.MetricsSettings;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ControlPlaneConfigTest {
  @Test
  void readsEveryVariableFromTheEnvironment() {
    ControlPlaneConfig config = ControlPlaneConfig.fromEnvironment(Map.of(
        "DBOPS_SERVER_PORT", "9090", "DBOPS_SERVER_BIND", "0.0.0.0", "DBOPS_DATA_DIR", "/var/dbops",
        "DBOPS_DB_URL", "jdbc:postgresql://db/dbops", "DBOPS_DB_USER", "cp",
        "DBOPS_DB_PASSWORD", "s3cret-pw", "DBOPS_PUBLIC_URL", "https://cp.example/"));
    assertThat(config.port()).isEqualTo(9090);
    assertThat(config.bindAddress()).isEqualTo("0.0.0.0");
    assertThat(config.dataDir()).isEqualTo(Path.of("/var/dbops"));
    assertThat(config.effectiveDbUrl()).isEqualTo("jdbc:postgresql://db/dbops");
    assertThat(config.publicUrl()).isEqualTo("https://cp.example");
    assertThat(config.toString()).doesNotContain("s3cret-pw");
  }

  @Test
  void defaultsToAnH2FileInTheDataDir() {
    ControlPlaneConfig config = ControlPlaneConfig.fromEnvironment(Map.of());
    assertThat(config.port()).isEqualTo(8080);
    assertThat(config.bindAddress()).isEqualTo("127.0.0.1");
    assertThat(config.heartbeatIntervalSeconds()).isEqualTo(15);
    assertThat(config.effectiveDbUrl()).startsWith("jdbc:h2:file:").endsWith("/.dbops/server/controlplane");
  }

  @Test
  void reportsEveryInvalidSettingAtOnceByName() {
    assertThatThrownBy(() -> ControlPlaneConfig.fromEnvironment(Map.of(
        "DBOPS_SERVER_PORT", "eighty", "DBOPS_DB_URL", "postgres://x", "DBOPS_PUBLIC_URL", "cp:8080")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("DBOPS_SERVER_PORT")
        .hasMessageContaining("DBOPS_DB_URL")
        .hasMessageContaining("DBOPS_PUBLIC_URL");
  }

  @Test
  void reportsTheLogSettingsWithEveryOtherProblem() {
    assertThatThrownBy(() -> ControlPlaneConfig.fromEnvironment(Map.of(
            "DBOPS_SERVER_PORT", "70000",
            "DBOPS_LOG_IDLE_CLOSE_MINUTES", "soon")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("DBOPS_SERVER_PORT must be between 0 and 65535")
        .hasMessageContaining("DBOPS_LOG_IDLE_CLOSE_MINUTES must be a whole number, not 'soon'");
    assertThatThrownBy(() -> ControlPlaneConfig.fromEnvironment(Map.of("DBOPS_LOG_RETENTION_DAYS", "-1")))
        .hasMessageContaining("DBOPS_LOG_RETENTION_DAYS must be between 0 (keep forever) and 36500, not -1");
  }

  @Test
  void readsTheMetricsSettings() {
    assertThat(ControlPlaneConfig.fromEnvironment(Map.of()).metrics())
        .isEqualTo(MetricsSettings.DEFAULT);
    ControlPlaneConfig config = ControlPlaneConfig.fromEnvironment(Map.of(
        "DBOPS_METRICS_PORT", "9464", "DBOPS_METRICS_OPEN", "true"));
    assertThat(config.metrics()).isEqualTo(new MetricsSettings(9464, true));
    assertThatThrownBy(() -> ControlPlaneConfig.fromEnvironment(Map.of(
        "DBOPS_METRICS_PORT", "8080", "DBOPS_METRICS_OPEN", "maybe")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("DBOPS_METRICS_OPEN must be true or false")
        .hasMessageContaining("DBOPS_METRICS_PORT must differ from DBOPS_SERVER_PORT (8080)");
  }

  @Test
  void theBuilderStartsFromTheDefaultsAndKeepsEverySettingThroughToBuilder() {
    ControlPlaneConfig config = ControlPlaneConfig.builder().port(0).leaseSeconds(7)
        .periods(200, 300).build();
    assertThat(config.toBuilder().build()).isEqualTo(config);
    assertThat(config.heartbeatIntervalSeconds()).isEqualTo(15);
    assertThat(config.dispatchScanMillis()).isEqualTo(300);
    assertThatThrownBy(() -> config.toBuilder().leaseSeconds(0).heartbeatIntervalSeconds(0).build())
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSize(2));
  }
}
