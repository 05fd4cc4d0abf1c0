package io.dbops.step;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.proto.v1.ChangeSetRecord;
import io.dbops.proto.v1.StepKind;
import io.dbops.proto.v1.StepRequest;
import io.dbops.proto.v1.StepStatus;
import io.dbops.support.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** SYNC, DRIFT and POLICY against H2, PostgreSQL and MariaDB. */
class NewKindsIT extends HarnessedStepIT {
  private StepRequest.Builder request(StepKind kind, String changelog) {
    return StepHarness.request(kind, changelog, db);
  }

  private void sql(String... statements) throws Exception {
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    }
  }

  private static void succeeded(StepHarness.Run run) {
    assertThat(run.result().getStatus()).as(run.result().getError() + "\n" + run.logText())
        .isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
  }

  @ParameterizedTest
  @ValueSource(strings = {"H2", "POSTGRES", "MARIADB"})
  void syncMarksTheNextThenAllPendingChangesetsAsAppliedWithoutRunningThem(String kind) throws Exception {
    target(kind);

    StepHarness.Run next = harness.execute(request(StepKind.STEP_KIND_SYNC, "sql/changelog.sql").setNextOnly(true).build());
    succeeded(next);
    assertThat(next.result().getOutputsMap()).containsEntry("synced", "1").containsEntry("pendingBefore", "2");
    assertThat(next.result().getChangesetsList()).extracting(ChangeSetRecord::getId, ChangeSetRecord::getState)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("sql-1", "SYNCED"));
    assertThat(db.tableExists("sql_table")).isFalse();
    assertThat(db.changelogRows("sql-1")).isEqualTo(1);

    StepHarness.Run all = harness.execute(request(StepKind.STEP_KIND_SYNC, "sql/changelog.sql").build());
    succeeded(all);
    assertThat(all.result().getOutputsMap()).containsEntry("synced", "1");
    assertThat(db.changelogRows()).isEqualTo(2);

    StepHarness.Run again = harness.execute(request(StepKind.STEP_KIND_SYNC, "sql/changelog.sql").build());
    succeeded(again);
    assertThat(again.result().getOutputsMap()).containsEntry("synced", "0");
    StepHarness.Run status = harness.execute(request(StepKind.STEP_KIND_STATUS, "sql/changelog.sql").build());
    assertThat(status.result().getOutputsMap()).containsEntry("pending", "0");
  }

  @ParameterizedTest
  @ValueSource(strings = {"H2", "POSTGRES", "MARIADB"})
  void driftReportsAColumnAddedAnIndexDroppedAndATableCreatedByHand(String kind) throws Exception {
    target(kind);
    // Context "prod": changeset d5 (context "never") is not applied, so DRIFT must not expect its table.
    succeeded(harness.execute(request(StepKind.STEP_KIND_APPLY, "drift/changelog.xml").setContexts("prod").build()));

    StepHarness.Run clean = harness.execute(request(StepKind.STEP_KIND_DRIFT, "drift/changelog.xml").build());
    succeeded(clean);
    assertThat(clean.result().getOutputsMap()).containsEntry("driftCount", "0").containsEntry("replayedChangesets", "4");

    sql("ALTER TABLE person ADD nickname VARCHAR(50)",
        kind.equals("MARIADB") ? "DROP INDEX idx_person_name ON person" : "DROP INDEX idx_person_name",
        "CREATE TABLE handmade (id INT)");
    StepHarness.Run drift = harness.execute(request(StepKind.STEP_KIND_DRIFT, "drift/changelog.xml").build());

    succeeded(drift);
    assertThat(drift.result().getOutputsMap()).containsEntry("driftCount", "3");
    List<String> found = new ArrayList<>();
    for (JsonNode d : Json.mapper().readTree(drift.result().getOutputsMap().get("drift"))) {
      found.add(d.get("change").asText() + " " + d.get("objectType").asText() + " "
          + d.get("table").asText().toLowerCase() + "." + d.get("name").asText().toLowerCase());
    }
    assertThat(found).containsExactlyInAnyOrder("extra table handmade.handmade", "extra column person.nickname",
        "missing index person.idx_person_name");
    assertThat(drift.logText()).containsIgnoringCase("Drift: extra column person.nickname")
        .containsIgnoringCase("Drift: missing index person.idx_person_name")
        .containsIgnoringCase("Drift: extra table handmade");

    StepHarness.Run failing = harness.execute(request(StepKind.STEP_KIND_DRIFT, "drift/changelog.xml")
        .setFailOnDrift(true).build());
    assertThat(failing.result().getStatus()).isEqualTo(StepStatus.STEP_STATUS_FAILED);
    assertThat(failing.result().getError()).startsWith("Schema drift: 3 difference(s)");
    assertThat(failing.result().getOutputsMap()).containsEntry("driftCount", "3");
  }

  @org.junit.jupiter.api.Test
  void driftOnPostgresComparesColumnDefaultsAndSequences() throws Exception {
    target("POSTGRES");
    Path dir = Files.createDirectories(tmp.resolve("seq"));
    Files.writeString(dir.resolve("c.xml"), """
        <databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog"
            xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
            xsi:schemaLocation="http://www.liquibase.org/xml/ns/dbchangelog http://www.liquibase.org/xml/ns/dbchangelog/dbchangelog-latest.xsd">
          <changeSet id="s1" author="dbops">
            <createSequence sequenceName="order_no" startValue="100" incrementBy="1"/>
            <createTable tableName="stock">
              <column name="id" type="int" autoIncrement="true"><constraints primaryKey="true"/></column>
              <column name="qty" type="int" defaultValueNumeric="0"/>
              <column name="code" type="varchar(10)" defaultValue="x"/>
            </createTable>
          </changeSet>
        </databaseChangeLog>
        """);
    succeeded(harness.execute(request(StepKind.STEP_KIND_APPLY, "c.xml").setSearchPath(dir.toString()).build()));
    // Identity and sequence values move with data; only definitions count.
    sql("INSERT INTO stock (qty) VALUES (1)", "SELECT nextval('order_no')");
    StepHarness.Run clean = harness.execute(request(StepKind.STEP_KIND_DRIFT, "c.xml").setSearchPath(dir.toString()).build());
    succeeded(clean);
    assertThat(clean.result().getOutputsMap()).as(clean.logText()).containsEntry("driftCount", "0");

    sql("ALTER TABLE stock ALTER COLUMN qty SET DEFAULT 5", "ALTER SEQUENCE order_no INCREMENT BY 10",
        "CREATE SEQUENCE handmade_seq");
    StepHarness.Run drift = harness.execute(request(StepKind.STEP_KIND_DRIFT, "c.xml").setSearchPath(dir.toString()).build());

    succeeded(drift);
    assertThat(drift.result().getOutputsMap()).containsEntry("driftCount", "3");
    assertThat(drift.logText())
        .contains("Drift: changed column stock.qty: expected int4 NULL DEFAULT 0, found int4 NULL DEFAULT 5")
        .contains("Drift: changed sequence order_no: expected bigint start 100 increment 1")
        .contains("found bigint start 100 increment 10")
        .contains("Drift: extra sequence handmade_seq: bigint start 1 increment 1");
  }

  @ParameterizedTest
  @ValueSource(strings = {"H2", "POSTGRES", "MARIADB"})
  void policyFailsOnBuiltInRulesNamingRuleChangesetAndStatement(String kind) throws Exception {
    target(kind);
    Path dir = tmp.resolve("policy");
    Files.createDirectories(dir);
    String base = "--liquibase formatted sql\n\n--changeset dbops:p1\n"
        + "CREATE TABLE pt (id INT PRIMARY KEY, code VARCHAR(100), qty BIGINT, note VARCHAR(50));\n";
    Files.writeString(dir.resolve("c.sql"), base);
    succeeded(harness.execute(request(StepKind.STEP_KIND_APPLY, "c.sql").setSearchPath(dir.toString()).build()));
    long rows = db.changelogRows();
    Files.writeString(dir.resolve("c.yaml"), """
        databaseChangeLog:
          - include: {file: c.sql}
          - changeSet:
              id: p2
              author: dbops
              changes:
                - modifyDataType: {tableName: pt, columnName: code, newDataType: VARCHAR(20)}
          - changeSet:
              id: p3
              author: dbops
              changes:
                - dropColumn: {tableName: pt, columnName: note}
          - changeSet:
              id: p4
              author: dbops
              changes:
                - sql: {sql: "GRANT SELECT ON pt TO someone"}
          - changeSet:
              id: p5
              author: dbops
              changes:
                - modifyDataType: {tableName: pt, columnName: qty, newDataType: INT}
        """);

    StepHarness.Run builtIn = harness.execute(request(StepKind.STEP_KIND_POLICY, "c.yaml").setSearchPath(dir.toString()).build());

    assertThat(builtIn.result().getStatus()).isEqualTo(StepStatus.STEP_STATUS_FAILED);
    assertThat(builtIn.result().getError()).startsWith("Policy violation: rule narrow-column-type")
        .contains("c.yaml::p2::dbops").containsIgnoringCase("pt").contains("(and 2 more");
    assertThat(builtIn.result().getOutputsMap()).containsEntry("violationCount", "3").containsEntry("checkedChangesets", "4");
    assertThat(builtIn.logText()).contains("rule drop-column").contains("c.yaml::p3::dbops")
        .contains("rule narrow-column-type").contains("c.yaml::p5::dbops");
    assertThat(db.changelogRows()).isEqualTo(rows); // nothing ran

    Files.writeString(dir.resolve("policy.yaml"), """
        rules:
          - id: drop-column
            severity: warning
          - id: narrow-column-type
            exempt:
              changesets: ["p2::dbops", "c.yaml::p5::dbops"]
          - id: no-grant
            description: Privileges are managed outside changelogs
            pattern: '\\bGRANT\\b'
        """);
    StepHarness.Run custom = harness.execute(request(StepKind.STEP_KIND_POLICY, "c.yaml").setSearchPath(dir.toString())
        .setPolicyFile("policy.yaml").build());

    assertThat(custom.result().getStatus()).isEqualTo(StepStatus.STEP_STATUS_FAILED);
    assertThat(custom.result().getError()).startsWith("Policy violation: rule no-grant (Privileges are managed outside changelogs)")
        .contains("c.yaml::p4::dbops").contains("GRANT SELECT ON pt TO someone");
    assertThat(custom.result().getOutputsMap()).containsEntry("violationCount", "1").containsEntry("warningCount", "1");

    Files.writeString(dir.resolve("policy.yaml"), "rules:\n  - id: no-grant\n    pattern: '\\bGRANT\\b'\n    exempt: {changesets: [p4]}\n"
        + "  - id: drop-column\n    severity: off\n  - id: narrow-column-type\n    severity: off\n");
    succeeded(harness.execute(request(StepKind.STEP_KIND_POLICY, "c.yaml").setSearchPath(dir.toString())
        .setPolicyFile("policy.yaml").build()));
  }
}
