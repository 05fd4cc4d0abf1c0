package io.dbops.agent.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbops.proto.v1.StepKind;
import io.dbops.proto.v1.StepRequest;
import io.dbops.protocol.ExecuteStepPayload;
import io.dbops.protocol.ExecuteStepPayload.GitSpec;
import io.dbops.protocol.ExecuteStepPayload.StepSpec;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How an execute_step payload becomes the lite engine's request. */
class StepRequestMappingTest {
  @Test
  void aCloneCarriesItsGitSourceWithThePasswordVariableNeverAValue() throws Exception {
    StepRequest step = ExecuteStepHandler.request(payload(new StepSpec("clone", null, "/work", null, null, null,
        null, null, null, 0, Map.of(), null, false, false, null, false,
        new GitSpec("https://git.example.com/orders.git", "v1.2", "checkout", 1, "ci", "DBOPS_GIT_PASSWORD_1"))))
        .getStep();

    assertThat(step.getKind()).isEqualTo(StepKind.STEP_KIND_CLONE);
    assertThat(step.getSearchPath()).isEqualTo("/work");
    assertThat(step.getGit().getUrl()).isEqualTo("https://git.example.com/orders.git");
    assertThat(step.getGit().getRef()).isEqualTo("v1.2");
    assertThat(step.getGit().getDirectory()).isEqualTo("checkout");
    assertThat(step.getGit().getDepth()).isEqualTo(1);
    assertThat(step.getGit().getUsername()).isEqualTo("ci");
    assertThat(step.getGit().getPasswordEnv()).isEqualTo("DBOPS_GIT_PASSWORD_1");
  }

  @Test
  void aCloneWithoutAGitSourceFailsTheTask() {
    assertThatThrownBy(() -> ExecuteStepHandler.request(payload(new StepSpec("clone", null, "/work", null, null,
            null, null, null, null, 0, Map.of(), null))))
        .isInstanceOf(TaskFailedException.class)
        .hasMessage("execute_step payload of a clone step has no git source");
  }

  @Test
  void aRollbackPreviewKeepsItsFlag() throws Exception {
    StepRequest step = ExecuteStepHandler.request(payload(new StepSpec("preview", "changelog.xml", null,
        "jdbc:h2:mem:x", null, null, null, null, "v1", 0, Map.of(), null, false, false, null, true, null)))
        .getStep();

    assertThat(step.getKind()).isEqualTo(StepKind.STEP_KIND_PREVIEW);
    assertThat(step.getRollback()).isTrue();
    assertThat(step.getTag()).isEqualTo("v1");
    assertThat(step.hasGit()).isFalse();
  }

  @Test
  void theTargetsLiquibaseTableNamesReachTheStepRequest() throws Exception {
    StepRequest step = ExecuteStepHandler.request(payload(new StepSpec("status", "changelog.xml", "/work",
        "jdbc:mariadb://db:3306/x", "app", null, null, null, null, 0, Map.of(), null, false, false, null, false, null,
        new ExecuteStepPayload.Tables("databasechangelog", "databasechangeloglock", "app", "meta"), null, false)))
        .getStep();
    StepRequest defaults = ExecuteStepHandler.request(payload(new StepSpec("status", "changelog.xml", "/work",
        "jdbc:mariadb://db:3306/x", "app", null, null, null, null, 0, Map.of(), null))).getStep();

    assertThat(step.getDatabase().getDatabaseChangelogTableName()).isEqualTo("databasechangelog");
    assertThat(step.getDatabase().getDatabaseChangelogLockTableName()).isEqualTo("databasechangeloglock");
    assertThat(step.getDatabase().getDefaultSchemaName()).isEqualTo("app");
    assertThat(step.getDatabase().getLiquibaseSchemaName()).isEqualTo("meta");
    assertThat(step.getDatabase().getJdbcUrl()).isEqualTo("jdbc:mariadb://db:3306/x");
    assertThat(defaults.getDatabase().getDatabaseChangelogTableName()).isEmpty();
    assertThat(defaults.getDatabase().getLiquibaseSchemaName()).isEmpty();
  }

  private static ExecuteStepPayload payload(StepSpec spec) {
    return new ExecuteStepPayload("e1", "dev", "s", "pod-1", "127.0.0.1:20001", 20002, spec,
        new ExecuteStepPayload.LogStreamRef("http://127.0.0.1:1", "executions/e1/dev/s", "t"));
  }
}
