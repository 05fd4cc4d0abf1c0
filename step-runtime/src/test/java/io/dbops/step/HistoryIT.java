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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** HISTORY against H2, PostgreSQL and MariaDB. */
class HistoryIT extends HarnessedStepIT {
  private StepRequest.Builder request(StepKind kind, String changelog) {
    return StepHarness.request(kind, changelog, db);
  }

  private static StepHarness.Run succeeded(StepHarness.Run run) {
    assertThat(run.result().getStatus()).as(run.result().getError() + "\n" + run.logText())
        .isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    return run;
  }

  @ParameterizedTest
  @ValueSource(strings = {"H2", "POSTGRES", "MARIADB"})
  void historyOfAnEmptyDatabaseIsEmptyAndCreatesNoTable(String kind) throws Exception {
    target(kind);

    StepHarness.Run run = succeeded(harness.execute(request(StepKind.STEP_KIND_HISTORY, "").build()));

    assertThat(run.result().getOutputsMap()).containsEntry("count", "0").containsEntry("history", "[]");
    assertThat(run.logText()).contains("No changesets recorded");
    assertThat(db.tableExists("DATABASECHANGELOG")).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"H2", "POSTGRES", "MARIADB"})
  void historyListsEveryRecordedChangesetInOrderWithItsRecordedFields(String kind) throws Exception {
    target(kind);
    succeeded(harness.execute(request(StepKind.STEP_KIND_APPLY, "xml/changelog.xml").setTag("base").build()));
    succeeded(harness.execute(request(StepKind.STEP_KIND_APPLY, "sql/changelog.sql").setTag("v1").build()));

    // No changelog needed: HISTORY reads DATABASECHANGELOG only.
    StepHarness.Run run = succeeded(harness.execute(request(StepKind.STEP_KIND_HISTORY, "").build()));

    List<JsonNode> rows = new ArrayList<>();
    Json.mapper().readTree(run.result().getOutputsMap().get("history")).forEach(rows::add);
    assertThat(run.result().getOutputsMap()).containsEntry("count", Long.toString(db.changelogRows()));
    // The first apply met an empty history, so its rollback tag is Liquibase's own tag row.
    assertThat(rows).extracting(r -> r.get("file").asText() + "::" + r.get("id").asText())
        .containsExactly(rows.get(0).get("file").asText() + "::" + rows.get(0).get("id").asText(),
            "xml/changelog.xml::xml-1", "sql/changelog.sql::sql-1", "sql/changelog.sql::sql-2");
    assertThat(rows.get(0).get("file").asText()).isEqualTo("liquibase-internal");
    assertThat(rows.get(0).get("tag").asText()).startsWith("dbops-pre-");
    for (int i = 0; i < rows.size(); i++) {
      JsonNode r = rows.get(i);
      assertThat(r.get("execType").asText()).isEqualTo("EXECUTED");
      assertThat(r.get("dateExecuted").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}");
      if (i > 0) {
        assertThat(r.get("deploymentId").asText()).isNotEmpty();
        assertThat(r.get("checksum").asText()).startsWith("9:");
        assertThat(r.get("dateExecuted").asText()).isGreaterThanOrEqualTo(rows.get(i - 1).get("dateExecuted").asText());
      }
    }
    JsonNode sql1 = rows.get(2);
    JsonNode sql2 = rows.get(3);
    assertThat(sql1.get("author").asText()).isEqualTo("carol");
    assertThat(rows.get(1).get("tag").asText()).isEqualTo("base");
    assertThat(sql1.get("tag").asText()).isEmpty();
    assertThat(sql2.get("tag").asText()).isEqualTo("v1");
    // One deployment id per apply: the second apply's two changesets share one, unlike the first's.
    assertThat(sql1.get("deploymentId").asText()).isEqualTo(sql2.get("deploymentId").asText())
        .isNotEqualTo(rows.get(1).get("deploymentId").asText());
    assertThat(sql2.get("orderExecuted").asInt()).isGreaterThan(sql1.get("orderExecuted").asInt());

    assertThat(run.result().getChangesetsList()).extracting(ChangeSetRecord::getId, ChangeSetRecord::getState)
        .endsWith(org.assertj.core.groups.Tuple.tuple("xml-1", "EXECUTED"),
            org.assertj.core.groups.Tuple.tuple("sql-1", "EXECUTED"),
            org.assertj.core.groups.Tuple.tuple("sql-2", "EXECUTED"));
    // The table as the database names it (databasechangelog on PostgreSQL).
    assertThat(run.logText()).containsIgnoringCase("4 changeset(s) recorded in DATABASECHANGELOG, oldest first:")
        .contains("sql/changelog.sql::sql-2::carol  tag=v1").contains("checksum=9:");
  }

  @ParameterizedTest
  @ValueSource(strings = {"H2", "POSTGRES", "MARIADB"})
  void historyShowsTheExecTypeOfAChangesetMarkedAsRanByItsPrecondition(String kind) throws Exception {
    target(kind);
    Path dir = tmp.resolve("marked");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("c.sql"), """
        --liquibase formatted sql

        --changeset dbops:h1
        CREATE TABLE h1 (id INT);

        --changeset dbops:h2
        --preconditions onFail:MARK_RAN
        --precondition-sql-check expectedResult:1 SELECT COUNT(*) FROM h1
        CREATE TABLE h2 (id INT);
        """);
    succeeded(harness.execute(request(StepKind.STEP_KIND_APPLY, "c.sql").setSearchPath(dir.toString()).build()));

    StepHarness.Run run = succeeded(harness.execute(request(StepKind.STEP_KIND_HISTORY, "c.sql")
        .setSearchPath(dir.toString()).build()));

    assertThat(run.result().getChangesetsList()).extracting(ChangeSetRecord::getId, ChangeSetRecord::getState)
        .endsWith(org.assertj.core.groups.Tuple.tuple("h1", "EXECUTED"), org.assertj.core.groups.Tuple.tuple("h2", "MARK_RAN"));
    assertThat(run.logText()).containsPattern("MARK_RAN\\s+c\\.sql::h2::dbops");
    assertThat(db.tableExists("h2")).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"POSTGRES", "MARIADB"})
  void applyStatusTagAndRollbackReturnTheHistoryAsReadAfterTheStep(String kind) throws Exception {
    target(kind);
    StepHarness.Run apply = succeeded(harness.execute(request(StepKind.STEP_KIND_APPLY, "sql/changelog.sql").build()));
    assertThat(ids(apply)).containsSubsequence("sql-1", "sql-2");
    assertThat(apply.result().getOutputsMap()).containsEntry("historyCount", Long.toString(db.changelogRows()));

    StepHarness.Run tag = succeeded(harness.execute(request(StepKind.STEP_KIND_TAG, "sql/changelog.sql")
        .setTag("t1").build()));
    JsonNode last = last(tag);
    assertThat(last.get("id").asText()).isEqualTo("sql-2");
    assertThat(last.get("tag").asText()).isEqualTo("t1");

    StepHarness.Run rollback = succeeded(harness.execute(request(StepKind.STEP_KIND_ROLLBACK, "sql/changelog.sql")
        .setCount(1).build()));
    assertThat(ids(rollback)).contains("sql-1").doesNotContain("sql-2");

    StepHarness.Run status = succeeded(harness.execute(request(StepKind.STEP_KIND_STATUS, "sql/changelog.sql").build()));
    assertThat(ids(status)).contains("sql-1").doesNotContain("sql-2");
    // status lists what is pending besides the history
    assertThat(status.result().getChangesetsList()).extracting(ChangeSetRecord::getId, ChangeSetRecord::getState)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("sql-2", "PENDING"));
  }

  private static List<String> ids(StepHarness.Run run) throws Exception {
    List<String> ids = new ArrayList<>();
    Json.mapper().readTree(run.result().getOutputsMap().get("history")).forEach(r -> ids.add(r.get("id").asText()));
    return ids;
  }

  private static JsonNode last(StepHarness.Run run) throws Exception {
    JsonNode rows = Json.mapper().readTree(run.result().getOutputsMap().get("history"));
    return rows.get(rows.size() - 1);
  }
}
