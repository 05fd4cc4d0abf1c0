package io.dbops.step;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.proto.v1.DatabaseTarget;
import io.dbops.proto.v1.StepKind;
import io.dbops.proto.v1.StepRequest;
import io.dbops.proto.v1.StepStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The warm no-op shortcut never hides work: any change to the history or the files is seen. */
class UpToDateMemoIT extends HarnessedStepIT {
  private StepHarness.Run apply(Path dir) {
    StepRequest.Builder b = StepHarness.request(StepKind.STEP_KIND_APPLY, "c.sql", db.jdbcUrl(), db.username())
        .setSearchPath(dir.toString());
    String env = db.password().isEmpty() ? "" : StepHarness.PASSWORD_ENV;
    StepHarness.Run run = harness.execute(b.setDatabase(DatabaseTarget.newBuilder(b.getDatabase()).setPasswordEnv(env)).build());
    assertThat(run.result().getStatus()).as(run.result().getError()).isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    return run;
  }

  @ParameterizedTest
  @ValueSource(strings = {"H2", "POSTGRES", "MARIADB"})
  void aRemovedHistoryRowOrAnEditedChangelogIsNotMistakenForUpToDate(String kind) throws Exception {
    db = TargetDb.named(kind, tmp);
    Path dir = tmp.resolve("cl");
    Files.createDirectories(dir);
    String one = "--liquibase formatted sql\n\n--changeset m:1\nCREATE TABLE memo_a (id INT);\n\n"
        + "--changeset m:2\nINSERT INTO memo_a VALUES (1);\n";
    Files.writeString(dir.resolve("c.sql"), one);
    apply(dir); // applies everything: remembered as up to date
    StepHarness.Run remembered = apply(dir);
    assertThat(remembered.result().getOutputsMap()).containsEntry("changesetsApplied", "0");
    assertThat(remembered.logText()).contains("unchanged since the last check");

    try (Connection c = db.connect()) {
      c.createStatement().execute("DELETE FROM DATABASECHANGELOG WHERE ID = '2'");
    }
    StepHarness.Run rerun = apply(dir);
    assertThat(rerun.result().getOutputsMap()).containsEntry("changesetsApplied", "1");
    assertThat(rerun.logText()).doesNotContain("unchanged since the last check");
    assertThat(db.queryLong("SELECT COUNT(*) FROM memo_a")).isEqualTo(2);
    apply(dir);

    Files.writeString(dir.resolve("c.sql"), one + "\n--changeset m:3\nINSERT INTO memo_a VALUES (3);\n");
    assertThat(apply(dir).result().getOutputsMap()).containsEntry("changesetsApplied", "1");
    assertThat(db.queryLong("SELECT COUNT(*) FROM memo_a")).isEqualTo(3);
  }
}
