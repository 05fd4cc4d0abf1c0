package io.dbops.step.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StepRuntimeConfigTest {
  @Test
  void defaultsWhenNothingIsSet() {
    StepRuntimeConfig config = StepRuntimeConfig.fromEnvironment(Map.of());

    assertThat(config.port()).isEqualTo(20002);
    assertThat(config.connectionTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.poolMaxSize()).isEqualTo(2);
  }

  @Test
  void readsEveryVariable() {
    StepRuntimeConfig config = StepRuntimeConfig.fromEnvironment(Map.of(
        "DBOPS_STEP_PORT", "0", "DBOPS_STEP_POOL_MAX_SIZE", "3", "DBOPS_STEP_CONNECTION_TIMEOUT_SECONDS", "5",
        "DBOPS_STEP_QUEUE_CAPACITY", "1", "DBOPS_STEP_SHUTDOWN_GRACE_SECONDS", "0"));

    assertThat(config).isEqualTo(new StepRuntimeConfig(0, 3, Duration.ofSeconds(5), 1, Duration.ZERO));
  }

  @Test
  void reportsEveryInvalidVariableAtOnce() {
    assertThatThrownBy(() -> StepRuntimeConfig.fromEnvironment(Map.of(
            "DBOPS_STEP_PORT", "http", "DBOPS_STEP_POOL_MAX_SIZE", "0", "DBOPS_STEP_CONNECTION_TIMEOUT_SECONDS", "-1")))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).hasSize(3))
        .hasMessageContaining("DBOPS_STEP_PORT must be a whole number, was 'http'")
        .hasMessageContaining("DBOPS_STEP_POOL_MAX_SIZE")
        .hasMessageContaining("DBOPS_STEP_CONNECTION_TIMEOUT_SECONDS");
  }

  @Test
  void lockTimeoutDefaultsTo60SecondsAndIsRead() {
    assertThat(StepRuntimeConfig.fromEnvironment(Map.of()).lockTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(StepRuntimeConfig.fromEnvironment(Map.of("DBOPS_STEP_LOCK_TIMEOUT_SECONDS", "5")).lockTimeout())
        .isEqualTo(Duration.ofSeconds(5));
    assertThatThrownBy(() -> StepRuntimeConfig.fromEnvironment(Map.of("DBOPS_STEP_LOCK_TIMEOUT_SECONDS", "-1")))
        .hasMessageContaining("DBOPS_STEP_LOCK_TIMEOUT_SECONDS must be between 0 and 86400 seconds");
  }

  @Test
  void durabilityDefaultsToStepAndIsRead() {
    assertThat(StepRuntimeConfig.fromEnvironment(Map.of()).durability()).isEqualTo(CommitDurability.STEP);
    assertThat(StepRuntimeConfig.fromEnvironment(Map.of("DBOPS_STEP_DURABILITY", " Changeset ")).durability())
        .isEqualTo(CommitDurability.CHANGESET);
    assertThatThrownBy(() -> StepRuntimeConfig.fromEnvironment(Map.of("DBOPS_STEP_DURABILITY", "fsync")))
        .hasMessageContaining("DBOPS_STEP_DURABILITY must be 'step' or 'changeset', was 'fsync'");
  }
}
