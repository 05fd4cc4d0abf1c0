package io.dbops.controlplane.executions;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.pipeline.Database;
import io.dbops.pipeline.Stage;
import io.dbops.pipeline.Step;
import io.dbops.protocol.ExecuteStepPayload;
import io.dbops.protocol.InitStagePayload;
import io.dbops.support.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TaskPayloadsTest {
  private static final String GIT_TOKEN = "<+secrets.getValue(\"git_token\")>";
  private final TaskPayloads payloads = new TaskPayloads(() -> "http://cp:8080", "dbops/dbops:test");

  private final Stage stage = new Stage("dev",
      new Database("jdbc:postgresql://db:5432/orders", "orders", "env:ORDERS_PASSWORD"),
      List.of(
          new Step("fetch", "clone", null, "/pipelines", null, null, null, null, Map.of(), null, null, null, null,
              null, "https://git.example.com/orders.git", "v1.2", "checkout", 1, "ci", GIT_TOKEN),
          new Step("undo-preview", "preview", "checkout/changelog.xml", "/pipelines", null, null, "v1", null,
              Map.of(), null, null, null, null, true, null, null, null, null, null, null)),
      List.of(), 0);

  @Test
  void aCloneStepGetsItsGitSourceAndItsPasswordAsASecretOfThePod() {
    InitStagePayload init = Json.convert(payloads.initStage("e1", stage, "pod-1").payload(), InitStagePayload.class);

    assertThat(init.secretEnv()).containsExactly(
        new InitStagePayload.SecretEnv("DBOPS_DB_PASSWORD", "env:ORDERS_PASSWORD"),
        new InitStagePayload.SecretEnv("DBOPS_GIT_PASSWORD_1", GIT_TOKEN));

    ExecuteStepPayload clone = step(0);
    assertThat(clone.step().kind()).isEqualTo("clone");
    assertThat(clone.step().git()).isEqualTo(new ExecuteStepPayload.GitSpec(
        "https://git.example.com/orders.git", "v1.2", "checkout", 1, "ci", "DBOPS_GIT_PASSWORD_1"));
    assertThat(clone.step().searchPath()).isEqualTo("/pipelines");
  }

  @Test
  void aRollbackPreviewKeepsItsRollbackFlagAndNoGitSource() {
    ExecuteStepPayload preview = step(1);

    assertThat(preview.step().rollback()).isTrue();
    assertThat(preview.step().tag()).isEqualTo("v1");
    assertThat(preview.step().git()).isNull();
  }

  @Test
  void theStagesLiquibaseTableNamesGoIntoEveryStepAndAreAbsentWhenDefault() {
    Stage named = new Stage("prod", new Database("jdbc:mariadb://db:3306/orders", "orders", null,
        "databasechangelog", "databasechangeloglock", null, "meta"), stage.steps(), List.of(), 0);
    ExecutionState.StageState state = new ExecutionState.StageState();
    state.name = "prod";
    state.podName = "pod-1";
    state.instance = "inst-1";
    state.liteEngineAddress = "127.0.0.1:20001";
    state.stepPorts = List.of(20002, 20003);

    ExecuteStepPayload payload = Json.convert(payloads.executeStep("e1", named, 1, state).payload(),
        ExecuteStepPayload.class);

    assertThat(payload.step().tables()).isEqualTo(
        new ExecuteStepPayload.Tables("databasechangelog", "databasechangeloglock", null, "meta"));
    assertThat(step(1).step().tables()).isNull();
  }

  private ExecuteStepPayload step(int index) {
    ExecutionState.StageState state = new ExecutionState.StageState();
    state.name = "dev";
    state.podName = "pod-1";
    state.instance = "i-1";
    state.liteEngineAddress = "127.0.0.1:20001";
    state.stepPorts = List.of(20002, 20003);
    return Json.convert(payloads.executeStep("e1", stage, index, state).payload(), ExecuteStepPayload.class);
  }
}
