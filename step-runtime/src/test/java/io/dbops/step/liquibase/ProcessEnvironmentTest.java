package io.dbops.step.liquibase;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import liquibase.GlobalConfiguration;
import liquibase.changelog.ChangeLogParameters;
import org.junit.jupiter.api.Test;

class ProcessEnvironmentTest {
  @Test
  void overlaysOnlyTheVariablesTheRealEnvironmentLacksOrHoldsOtherwise() {
    ProcessEnvironment env = ProcessEnvironment.of(Map.of("PATH", "/bin", "HOME", "/root"),
        Map.of("PATH", "/bin", "HOME", "/home/stage", "SCHEMA", "orders"));

    assertThat(env.overlay()).isEqualTo(Map.of("HOME", "/home/stage", "SCHEMA", "orders"));
    assertThat(env.variables()).isEqualTo(Map.of("PATH", "/bin", "HOME", "/home/stage", "SCHEMA", "orders"));
  }

  @Test
  void givesChangelogParametersTheOverlaidVariables() {
    ChangeLogParameters parameters = new ChangeLogParameters();
    ProcessEnvironment.of(Map.of(), Map.of("WARM_SCHEMA", "orders")).addTo(parameters);
    parameters.set("WARM_SCHEMA", "from the request"); // set later: the environment's value wins, as when cold

    assertThat(parameters.getValue("WARM_SCHEMA", null)).isEqualTo("orders");
  }

  @Test
  void liquibaseSettingsAreReadFromTheGivenEnvironment() {
    try {
      FastConfigProviders.install(ProcessEnvironment.of(
          Map.of("LIQUIBASE_DATABASE_CHANGELOG_TABLE_NAME", "WARM_HISTORY")).variables());
      assertThat(GlobalConfiguration.DATABASECHANGELOG_TABLE_NAME.getCurrentValue()).isEqualTo("WARM_HISTORY");
    } finally {
      FastConfigProviders.install();
    }
    assertThat(GlobalConfiguration.DATABASECHANGELOG_TABLE_NAME.getCurrentValue()).isEqualTo("DATABASECHANGELOG");
  }
}
