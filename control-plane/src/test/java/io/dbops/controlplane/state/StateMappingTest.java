package io.dbops.controlplane.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbops.controlplane.state.StateViews.Changeset;
import io.dbops.protocol.StepOutput;
import io.dbops.support.Json;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class StateMappingTest {
  private static final String HISTORY = """
      [{"id":"1","author":"alice","file":"db/a.sql","dateExecuted":"2026-12-01T10:00:00.000","orderExecuted":1,
        "execType":"EXECUTED","tag":"","deploymentId":"1000000001","checksum":"9:aa"},
       {"id":"hand","author":"ops","file":"db/hand.sql","dateExecuted":"2026-12-02T10:00:00.000","orderExecuted":2,
        "execType":"EXECUTED","tag":"","deploymentId":"1000000002","checksum":"9:bb"},
       {"id":"2","author":"alice","file":"db/a.sql","dateExecuted":"2026-12-03T10:00:00.000","orderExecuted":3,
        "execType":"EXECUTED","tag":"v2","deploymentId":"1000000003","checksum":"9:cc"},
       {"id":"3","author":"alice","file":"db/a.sql","dateExecuted":"2026-12-03T10:00:00.100","orderExecuted":4,
        "execType":"EXECUTED","tag":"","deploymentId":"1000000003","checksum":"9:dd"}]
      """;

  @Test
  void rowsOfThisApplysDeploymentBelongToTheExecutionAndItsApproversOthersKeepWhatWasRecorded() {
    // the apply reports changeset 2 only; 3 shares its deployment id (same Liquibase run)
    StepOutput apply = output(Map.of("history", HISTORY), List.of(cs("2", "EXECUTED")));
    List<Changeset> previous = List.of(new Changeset("1", "alice", "db/a.sql", "9:aa", "", 1, "EXECUTED", "",
        "1000000001", "ex-old", List.of("carol")));

    List<Changeset> rows = StateMapping.rows(StateMapping.historyJson(apply), apply, "ex-new", List.of("dave"), previous);

    assertThat(rows).extracting(Changeset::key).containsExactly("db/a.sql::1::alice", "db/hand.sql::hand::ops",
        "db/a.sql::2::alice", "db/a.sql::3::alice");
    assertThat(rows).extracting(Changeset::executionId).containsExactly("ex-old", null, "ex-new", "ex-new");
    assertThat(rows.get(0).approvedBy()).containsExactly("carol");
    assertThat(rows.get(1).approvedBy()).isEmpty();
    assertThat(rows.get(2).approvedBy()).containsExactly("dave");
    assertThat(rows.get(2).tag()).isEqualTo("v2");
    assertThat(rows.get(3).checksum()).isEqualTo("9:dd");
    assertThat(StateMapping.tags(rows)).containsExactly("v2");
  }

  @Test
  void aRowReRunUnderANewDeploymentIsNotAttributedToTheOldExecution() {
    StepOutput refresh = output(Map.of("history", HISTORY), List.of());
    List<Changeset> previous = List.of(new Changeset("1", "alice", "db/a.sql", "", "", 1, "EXECUTED", "",
        "999", "ex-old", List.of()));
    List<Changeset> rows = StateMapping.rows(StateMapping.historyJson(refresh), refresh, null, List.of(), previous);
    assertThat(rows).extracting(Changeset::executionId).containsOnlyNulls();
  }

  @Test
  void aCompressedHistoryReadsLikeAPlainOne() throws Exception {
    StepOutput gz = output(Map.of("historyGzip", gzip(HISTORY)), List.of());
    assertThat(StateMapping.historyJson(gz)).hasSize(4);
    StepOutput broken = output(Map.of("historyGzip", "not base64!"), List.of());
    assertThatThrownBy(() -> StateMapping.historyJson(broken)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("history output cannot be read");
  }

  @Test
  void pendingIsWhatAStatusStepReportsAsPending() {
    StepOutput status = output(Map.of("pending", "2"), List.of(cs("4", "PENDING"), cs("5", "PENDING")));
    assertThat(StateMapping.pending(status)).extracting(StateViews.Ref::key)
        .containsExactly("db/a.sql::4::alice", "db/a.sql::5::alice");
  }

  @Test
  void driftDifferencesReadAsLines() {
    String drift = Json.write(List.of(Map.of("change", "extra", "objectType", "column", "table", "person",
        "name", "nickname", "expected", "", "actual", "varchar(50) NULL")));
    StepOutput out = output(Map.of("driftCount", "1", "drift", drift), List.of());
    assertThat(StateMapping.differences(out)).containsExactly("extra column person.nickname: varchar(50) NULL");
  }

  private static StepOutput output(Map<String, String> outputs, List<StepOutput.ChangeSet> changesets) {
    return new StepOutput("SUCCEEDED", null, outputs, new ArrayList<>(changesets), 1, 0, 0);
  }

  private static StepOutput.ChangeSet cs(String id, String state) {
    return new StepOutput.ChangeSet(id, "alice", "db/a.sql", state, 0, 0);
  }

  private static String gzip(String text) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
      gz.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return Base64.getEncoder().encodeToString(bytes.toByteArray());
  }
}
