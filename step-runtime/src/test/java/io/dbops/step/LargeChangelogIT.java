package io.dbops.step;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.proto.v1.DatabaseTarget;
import io.dbops.proto.v1.StepKind;
import io.dbops.proto.v1.StepRequest;
import io.dbops.proto.v1.StepStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A 210-changeset changelog (generated here, in XML, YAML and formatted SQL): status, apply,
 * status, rollback to the pre-start tag, on H2, PostgreSQL and MariaDB.
 */
class LargeChangelogIT extends HarnessedStepIT {
  private static final int CHANGESETS = 210;
  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"H2, xml", "H2, yaml", "H2, sql", "POSTGRES, xml", "POSTGRES, yaml", "POSTGRES, sql",
      "MARIADB, xml", "MARIADB, yaml", "MARIADB, sql"})
  void appliesReportsAndRollsBackTwoHundredTenChangesets(String kind, String format) throws Exception {
    db = TargetDb.named(kind, tmp);
    Path dir = tmp.resolve("cl");
    Files.createDirectories(dir);
    String file = "large." + format;
    Files.writeString(dir.resolve(file), switch (format) {
      case "xml" -> xml();
      case "yaml" -> yaml();
      default -> sql();
    });

    StepHarness.Run before = harness.execute(request(StepKind.STEP_KIND_STATUS, dir, file).build());
    StepHarness.Run apply = harness.execute(request(StepKind.STEP_KIND_APPLY, dir, file).build());
    StepHarness.Run after = harness.execute(request(StepKind.STEP_KIND_STATUS, dir, file).build());

    assertThat(before.result().getOutputsMap()).containsEntry("pending", Integer.toString(CHANGESETS));
    assertThat(before.result().getChangesetsCount()).isEqualTo(CHANGESETS);
    assertThat(apply.result().getStatus()).as(apply.result().getError()).isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    assertThat(apply.result().getOutputsMap()).containsEntry("changesetsApplied", Integer.toString(CHANGESETS));
    assertThat(apply.result().getChangesetsCount()).isEqualTo(CHANGESETS);
    assertThat(after.result().getOutputsMap()).containsEntry("pending", "0");
    assertThat(db.queryLong("SELECT COUNT(*) FROM DATABASECHANGELOG WHERE FILENAME = '" + file + "'")).isEqualTo(CHANGESETS);
    assertThat(db.queryLong("SELECT COUNT(*) FROM lg_" + (CHANGESETS - 3))).isEqualTo(1);

    StepHarness.Run rollback = harness.execute(request(StepKind.STEP_KIND_ROLLBACK, dir, file)
        .setTag(apply.result().getOutputsMap().get("preStartTag")).build());

    assertThat(rollback.result().getStatus()).as(rollback.result().getError()).isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    assertThat(rollback.result().getOutputsMap()).containsEntry("rolledBack", Integer.toString(CHANGESETS));
    assertThat(db.queryLong("SELECT COUNT(*) FROM DATABASECHANGELOG WHERE FILENAME = '" + file + "'")).isZero();
    assertThat(db.tableExists("lg_0")).isFalse();
    assertThat(db.tableExists("lg_" + (CHANGESETS - 3))).isFalse();
  }

  private StepRequest.Builder request(StepKind kind, Path dir, String file) {
    StepRequest.Builder b = StepHarness.request(kind, file, db.jdbcUrl(), db.username()).setSearchPath(dir.toString());
    String env = db.password().isEmpty() ? "" : StepHarness.PASSWORD_ENV;
    return b.setDatabase(DatabaseTarget.newBuilder(b.getDatabase()).setPasswordEnv(env));
  }

  // Changeset i: i % 3 == 0 creates table lg_i, 1 adds a column to it, 2 inserts a row (explicit rollback).

  private static String xml() {
    StringBuilder sb = new StringBuilder("""
        <?xml version="1.0" encoding="UTF-8"?>
        <databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog"
            xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
            xsi:schemaLocation="http://www.liquibase.org/xml/ns/dbchangelog http://www.liquibase.org/xml/ns/dbchangelog/dbchangelog-latest.xsd">
        """);
    for (int i = 0; i < CHANGESETS; i++) {
      int t = i - i % 3;
      sb.append("  <changeSet id=\"").append(i).append("\" author=\"gen\">\n");
      switch (i % 3) {
        case 0 -> sb.append("    <createTable tableName=\"lg_").append(t).append("\">"
            + "<column name=\"id\" type=\"int\"><constraints primaryKey=\"true\"/></column>"
            + "<column name=\"name\" type=\"varchar(50)\"/></createTable>\n");
        case 1 -> sb.append("    <addColumn tableName=\"lg_").append(t).append("\"><column name=\"extra\" type=\"varchar(20)\"/></addColumn>\n");
        default -> sb.append("    <insert tableName=\"lg_").append(t).append("\"><column name=\"id\" valueNumeric=\"1\"/>"
            + "<column name=\"name\" value=\"row ").append(i).append("\"/></insert>\n    <rollback><delete tableName=\"lg_")
            .append(t).append("\"><where>id = 1</where></delete></rollback>\n");
      }
      sb.append("  </changeSet>\n");
    }
    return sb.append("</databaseChangeLog>\n").toString();
  }

  private static String yaml() {
    StringBuilder sb = new StringBuilder("databaseChangeLog:\n");
    for (int i = 0; i < CHANGESETS; i++) {
      int t = i - i % 3;
      sb.append("  - changeSet:\n      id: \"").append(i).append("\"\n      author: gen\n      changes:\n");
      switch (i % 3) {
        case 0 -> sb.append("        - createTable:\n            tableName: lg_").append(t).append("\n            columns:\n"
            + "              - column: {name: id, type: int, constraints: {primaryKey: true}}\n"
            + "              - column: {name: name, type: varchar(50)}\n");
        case 1 -> sb.append("        - addColumn:\n            tableName: lg_").append(t)
            .append("\n            columns:\n              - column: {name: extra, type: varchar(20)}\n");
        default -> sb.append("        - insert:\n            tableName: lg_").append(t).append("\n            columns:\n"
            + "              - column: {name: id, valueNumeric: 1}\n              - column: {name: name, value: row ").append(i)
            .append("}\n      rollback:\n        - delete: {tableName: lg_").append(t).append(", where: id = 1}\n");
      }
    }
    return sb.toString();
  }

  private static String sql() {
    StringBuilder sb = new StringBuilder("--liquibase formatted sql\n\n");
    for (int i = 0; i < CHANGESETS; i++) {
      int t = i - i % 3;
      sb.append("--changeset gen:").append(i).append('\n');
      switch (i % 3) {
        case 0 -> sb.append("CREATE TABLE lg_").append(t).append(" (id INT PRIMARY KEY, name VARCHAR(50));\n--rollback DROP TABLE lg_")
            .append(t).append(";\n\n");
        case 1 -> sb.append("ALTER TABLE lg_").append(t).append(" ADD extra VARCHAR(20);\n--rollback ALTER TABLE lg_")
            .append(t).append(" DROP COLUMN extra;\n\n");
        default -> sb.append("INSERT INTO lg_").append(t).append(" (id, name) VALUES (1, 'row ").append(i)
            .append("');\n--rollback DELETE FROM lg_").append(t).append(" WHERE id = 1;\n\n");
      }
    }
    return sb.toString();
  }
}
