package io.dbops.cli.commands;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.support.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The text views of {@code dbops state} and the environment columns of {@code dbops get}. */
class StateCommandsTest {
  @Test
  void stateShowsTheSummaryThenOneLinePerChangesetAndWhatIsPending() throws Exception {
    JsonNode state = Json.mapper().readTree("""
        {"target":"orders-prod","environment":"prod","refreshedAt":"2026-12-07T10:00:00Z",
         "changesets":[
          {"id":"1","author":"alice","file":"db/a.sql","checksum":"9:aa","dateExecuted":"2026-12-01T10:00:00.000",
           "orderExecuted":1,"execType":"EXECUTED","tag":"v1","deploymentId":"1","executionId":"ex-abc","approvedBy":["bob"]},
          {"id":"hand","author":"ops","file":"db/h.sql","checksum":"9:bb","dateExecuted":"2026-12-02T10:00:00.000",
           "orderExecuted":2,"execType":"EXECUTED","tag":"","deploymentId":"2","executionId":null,"approvedBy":[]}],
         "pending":[{"pipeline":"deploy","asOf":"2026-12-07T10:00:00Z","executionId":"ex-def",
           "changesets":[{"id":"2","author":"alice","file":"db/a.sql"}]}],
         "lastDeployment":{"executionId":"ex-abc","pipeline":"deploy","status":"SUCCEEDED","finishedAt":"2026-12-01T10:00:01Z"},
         "tags":["v1"],
         "drift":{"status":"drifted","checkedAt":"2026-12-07T09:00:00Z","executionId":"ex-x",
           "differences":["extra column person.nickname: varchar(50) NULL"]}}""");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    StateCommand.print(state, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String text = bytes.toString(StandardCharsets.UTF_8);
    assertThat(text).contains("Target:          orders-prod").contains("Environment:     prod")
        .contains("Last deployment: ex-abc deploy SUCCEEDED").contains("Drift:           drifted")
        .contains("extra column person.nickname").contains("Tags:            v1")
        .contains("2 applied changeset(s), oldest first:")
        .containsPattern("db/a.sql::1::alice\\s+ex-abc\\s+v1")
        .containsPattern("db/h.sql::hand::ops\\s+\\(outside dbops\\)")
        .contains("Pending for pipeline deploy").contains("  db/a.sql::2::alice");
  }

  @Test
  void aTargetNeverRecordedSaysSo() throws Exception {
    JsonNode state = Json.mapper().readTree("""
        {"target":"t","environment":"dev","refreshedAt":null,"changesets":[],"pending":[],"lastDeployment":null,
         "tags":[],"drift":{"status":"unknown","checkedAt":null,"executionId":null,"differences":[]}}""");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    StateCommand.print(state, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("Refreshed:       never")
        .contains("Last deployment: none recorded").contains("Drift:           unknown")
        .contains("0 applied changeset(s)");
  }

  @Test
  void environmentsShowTheDriftGateAndTheRefreshSchedule() throws Exception {
    JsonNode env = Json.mapper().readTree("""
        {"kind":"environment","name":"prod","spec":{"order":3,"refreshMinutes":60,
         "protection":{"driftGate":true}}}""");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    GetCommand.print("environments", List.of(env), new PrintStream(bytes, true, StandardCharsets.UTF_8));
    assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("DRIFT GATE").contains("REFRESH")
        .containsPattern("prod\\s+3\\s+-\\s+-\\s+on\\s+60 min");
  }
}
