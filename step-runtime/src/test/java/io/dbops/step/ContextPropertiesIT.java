package io.dbops.step;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.proto.v1.DatabaseTarget;
import io.dbops.proto.v1.StepKind;
import io.dbops.proto.v1.StepRequest;
import io.dbops.proto.v1.StepStatus;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Changelog properties declared per context resolve with the step's contexts (Apache Fineract's pattern). */
class ContextPropertiesIT extends HarnessedStepIT {
  private StepRequest.Builder request(StepKind kind) {
    StepRequest.Builder b = StepHarness.request(kind, "ctxprops/changelog.xml", db.jdbcUrl(), db.username())
        .setContexts("main");
    String env = db.password().isEmpty() ? "" : StepHarness.PASSWORD_ENV;
    return b.setDatabase(DatabaseTarget.newBuilder(b.getDatabase()).setPasswordEnv(env));
  }

  @ParameterizedTest
  @ValueSource(strings = {"H2", "POSTGRES"})
  void applyValidateAndDriftResolvePropertiesWithTheStepsContexts(String kind) throws Exception {
    db = TargetDb.named(kind, tmp);

    StepHarness.Run apply = harness.execute(request(StepKind.STEP_KIND_APPLY).build());
    StepHarness.Run again = harness.execute(request(StepKind.STEP_KIND_APPLY).build());
    StepHarness.Run validate = harness.execute(request(StepKind.STEP_KIND_STATUS).build());
    StepHarness.Run drift = harness.execute(request(StepKind.STEP_KIND_DRIFT).build());

    assertThat(apply.result().getStatus()).as(apply.result().getError()).isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    assertThat(db.queryLong("SELECT v FROM ctx_prop")).isEqualTo(2);
    assertThat(again.result().getOutputsMap()).containsEntry("changesetsApplied", "0");
    assertThat(validate.result().getOutputsMap()).containsEntry("pending", "0");
    assertThat(drift.result().getStatus()).as(drift.result().getError()).isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    assertThat(drift.result().getOutputsMap()).containsEntry("driftCount", "0").containsEntry("replayedChangesets", "2");
  }
}
