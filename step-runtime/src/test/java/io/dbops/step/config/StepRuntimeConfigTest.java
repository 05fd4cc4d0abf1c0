package io.dbops.step.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbops.config.ConfigException;
import io.dbops.step.guard.GuardedChangeType;
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
    assertThat(config.bindAddress()).isEqualTo("127.0.0.1");
    assertThat(config.allowedChangeTypes()).isEmpty();
  }

  @Test
  void readsTheBindAddressAndTheAllowedChangeTypes() {
    StepRuntimeConfig config = StepRuntimeConfig.fromEnvironment(Map.of("DBOPS_BIND_ADDRESS", "0.0.0.0",
        "DBOPS_STEP_ALLOW_CHANGE_TYPES", "executeCommand, SQLFILEACCESS"));

    assertThat(config.bindAddress()).isEqualTo("0.0.0.0");
    assertThat(config.allowedChangeTypes())
        .containsExactlyInAnyOrder(GuardedChangeType.EXECUTE_COMMAND, GuardedChangeType.SQL_FILE_ACCESS);
    assertThatThrownBy(() -> StepRuntimeConfig.fromEnvironment(Map.of("DBOPS_STEP_ALLOW_CHANGE_TYPES", "sql")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("DBOPS_STEP_ALLOW_CHANGE_TYPES: unknown change type 'sql'; allowed values: "
            + "executeCommand, customChange, sqlFileAccess");
  }

  @Test
  void readsEveryVariable() {
    StepRuntimeConfig config = StepRuntimeConfig.fromEnvironment(Map.of(
        "DBOPS_STEP_PORT", "0", "DBOPS_STEP_POOL_MAX_SIZE", "3", "DBOPS_STEP_CONNECTION_TIMEOUT_SECONDS", "5",
        "DBOPS_STEP_QUEUE_CAPACITY", "1", "DBOPS_STEP_SHUTDOWN_GRACE_SECONDS", "0"));

    assertThat(config).isEqualTo(StepRuntimeConfig.builder().port(0).poolMaxSize(3)
        .connectionTimeout(Duration.ofSeconds(5)).queueCapacity(1).shutdownGrace(Duration.ZERO).build());
  }

  @Test
  void reportsEveryInvalidVariableAtOnce() {
    assertThatThrownBy(() -> StepRuntimeConfig.fromEnvironment(Map.of(
            "DBOPS_STEP_PORT", "http", "DBOPS_STEP_POOL_MAX_SIZE", "0", "DBOPS_STEP_CONNECTION_TIMEOUT_SECONDS", "-1")))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).hasSize(3))
        .hasMessageContaining("DBOPS_STEP_PORT must be a whole number, not 'http'")
        .hasMessageContaining("DBOPS_STEP_POOL_MAX_SIZE")
        .hasMessageContaining("DBOPS_STEP_CONNECTION_TIMEOUT_SECONDS");
  }

  @Test
  void mongoDbSettingsDefaultToTheExtensionsAndAreRead() {
    assertThat(StepRuntimeConfig.fromEnvironment(Map.of()).mongo()).isEqualTo(MongoSettings.defaults());
    StepRuntimeConfig config = StepRuntimeConfig.fromEnvironment(Map.of(
        "DBOPS_STEP_MONGODB_SUPPORTS_VALIDATOR", "false", "DBOPS_STEP_MONGODB_ADJUST_TRACKING_COLLECTIONS", "false"));

    assertThat(config.mongo()).isEqualTo(MongoSettings.withoutValidators());
    assertThat(config.mongo().liquibaseScope()).isEqualTo(Map.of("liquibase.mongodb.supportsValidator", false,
        "liquibase.mongodb.adjustTrackingTablesOnStartup", false));
    assertThatThrownBy(() -> StepRuntimeConfig.fromEnvironment(Map.of("DBOPS_STEP_MONGODB_SUPPORTS_VALIDATOR", "no way")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("DBOPS_STEP_MONGODB_SUPPORTS_VALIDATOR");
  }

  @Test
  void lockTimeoutDefaultsTo60SecondsAndIsRead() {
    assertThat(StepRuntimeConfig.fromEnvironment(Map.of()).lockTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(StepRuntimeConfig.fromEnvironment(Map.of("DBOPS_STEP_LOCK_TIMEOUT_SECONDS", "5")).lockTimeout())
        .isEqualTo(Duration.ofSeconds(5));
    assertThatThrownBy(() -> StepRuntimeConfig.fromEnvironment(Map.of("DBOPS_STEP_LOCK_TIMEOUT_SECONDS", "-1")))
        .hasMessageContaining("DBOPS_STEP_LOCK_TIMEOUT_SECONDS must be between 0 and 86400");
  }

  @Test
  void durabilityDefaultsToStepAndIsRead() {
    assertThat(StepRuntimeConfig.fromEnvironment(Map.of()).durability()).isEqualTo(CommitDurability.STEP);
    assertThat(StepRuntimeConfig.fromEnvironment(Map.of("DBOPS_STEP_DURABILITY", " Changeset ")).durability())
        .isEqualTo(CommitDurability.CHANGESET);
    assertThatThrownBy(() -> StepRuntimeConfig.fromEnvironment(Map.of("DBOPS_STEP_DURABILITY", "fsync")))
        .hasMessageContaining("DBOPS_STEP_DURABILITY must be one of changeset, step, not 'fsync'");
  }
}
