package io.dbops.step.history;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

class HistoryOutputTest {
  @Test
  void aSmallHistoryIsPlainJson() {
    Map<String, String> outputs = new LinkedHashMap<>();
    HistoryOutput.put(outputs, List.of(entry(1)));
    assertThat(outputs).containsEntry("historyCount", "1").doesNotContainKey("historyGzip");
    assertThat(outputs.get("history")).contains("\"id\":\"cs-1\"");
  }

  @Test
  void twoThousandRowsAreCompressedWellBelowTheFrameLimit() throws Exception {
    List<HistoryEntry> entries = new ArrayList<>();
    for (int i = 1; i <= 2000; i++) {
      entries.add(entry(i));
    }
    Map<String, String> outputs = new LinkedHashMap<>();
    HistoryOutput.put(outputs, entries);

    assertThat(outputs).containsEntry("historyCount", "2000").doesNotContainKey("history");
    String gz = outputs.get("historyGzip");
    assertThat(gz.length()).isLessThan(200_000); // the delegate's frame limit is 1 MiB
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(gz)))) {
      String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertThat(json).startsWith("[{").contains("\"id\":\"cs-2000\"");
    }
  }

  private static HistoryEntry entry(int i) {
    return new HistoryEntry("cs-" + i, "alice", "db/changelog/release-" + (i / 100) + ".sql",
        "2026-12-07T10:00:00.123", i, "EXECUTED", "", "5123456789",
        "9:" + Integer.toHexString(i * 7919) + "abcdef0123456789abcdef01");
  }
}
