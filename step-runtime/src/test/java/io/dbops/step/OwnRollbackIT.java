package io.dbops.step;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.proto.v1.StepKind;
import io.dbops.proto.v1.StepStatus;
import io.dbops.step.drift.SchemaSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A run's rollback of its own failed apply (onFailure: rollback): rolling back to the pre-start tag
 * the apply recorded with the run's prefix also removes that tag, so schema and history (tags
 * included) are exactly as before; a manual rollback to a tag keeps it.
 */
class OwnRollbackIT extends HarnessedStepIT {
  private static final String PREFIX = "dbops-pre-ex-own1";

  private Path changelog() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("own"));
    Files.writeString(dir.resolve("base.sql"), """
        --liquibase formatted sql

        --changeset dbops:base-1
        CREATE TABLE own_base (id INT PRIMARY KEY);
        --rollback DROP TABLE own_base;
        """);
    Files.writeString(dir.resolve("next.sql"), """
        --liquibase formatted sql

        --changeset dbops:next-1
        CREATE TABLE own_one (id INT PRIMARY KEY);
        --rollback DROP TABLE own_one;

        --changeset dbops:next-2
        CREATE TABLE own_two (id INT PRIMARY KEY);
        --rollback DROP TABLE own_two;

        --changeset dbops:next-3
        CREATE TABLE own_three (id INT PRIMARY KEY, broken NOT_A_TYPE);
        --rollback DROP TABLE own_three;
        """);
    return dir;
  }

  private record State(List<String> history, SchemaSnapshot schema) {}

  private State state() throws Exception {
    List<String> rows = new ArrayList<>();
    try (Connection c = db.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id, tag FROM DATABASECHANGELOG ORDER BY orderexecuted")) {
      while (rs.next()) {
        rows.add(rs.getString(1) + "|" + rs.getString(2));
      }
      return new State(rows, SchemaSnapshot.read(c));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"POSTGRES", "MARIADB"})
  void rollingBackToThisRunsPreStartTagLeavesSchemaAndHistoryAsBefore(String kind) throws Exception {
    target(kind);
    Path dir = changelog();
    assertThat(harness.execute(StepHarness.request(StepKind.STEP_KIND_APPLY, "base.sql", db)
        .setSearchPath(dir.toString()).build()).result().getStatus()).isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    State before = state();

    StepHarness.Run apply = harness.execute(StepHarness.request(StepKind.STEP_KIND_APPLY, "next.sql", db)
        .setSearchPath(dir.toString()).setPreTagPrefix(PREFIX).setRequireReversible(true).build());
    assertThat(apply.result().getStatus()).isEqualTo(StepStatus.STEP_STATUS_FAILED);
    String tag = apply.result().getOutputsMap().get("preStartTag");
    assertThat(tag).startsWith(PREFIX + "-");
    assertThat(db.tableExists("own_two")).isTrue();

    StepHarness.Run rollback = harness.execute(StepHarness.request(StepKind.STEP_KIND_ROLLBACK, "next.sql", db)
        .setSearchPath(dir.toString()).setPreTagPrefix(PREFIX).setTag(tag).build());

    assertThat(rollback.result().getStatus()).as(rollback.result().getError() + "\n" + rollback.logText())
        .isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    assertThat(rollback.result().getOutputsMap()).containsEntry("rolledBack", "2").containsEntry("removedTag", tag);
    assertThat(state()).isEqualTo(before);
  }

  @ParameterizedTest
  @ValueSource(strings = {"POSTGRES"})
  void aRollbackWithoutTheRunsPrefixKeepsTheTag(String kind) throws Exception {
    target(kind);
    Path dir = changelog();
    harness.execute(StepHarness.request(StepKind.STEP_KIND_APPLY, "base.sql", db).setSearchPath(dir.toString()).build());
    StepHarness.Run apply = harness.execute(StepHarness.request(StepKind.STEP_KIND_APPLY, "next.sql", db)
        .setSearchPath(dir.toString()).build());
    String tag = apply.result().getOutputsMap().get("preStartTag");

    StepHarness.Run rollback = harness.execute(StepHarness.request(StepKind.STEP_KIND_ROLLBACK, "next.sql", db)
        .setSearchPath(dir.toString()).setTag(tag).build());

    assertThat(rollback.result().getStatus()).isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    assertThat(rollback.result().getOutputsMap()).doesNotContainKey("removedTag");
    // (the first apply's pre-start tag row on the empty history comes first)
    assertThat(state().history()).last().isEqualTo("base-1|" + tag);
  }
}
