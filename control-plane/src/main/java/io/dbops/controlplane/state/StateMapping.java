package io.dbops.controlplane.state;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.controlplane.state.StateViews.Changeset;
import io.dbops.controlplane.state.StateViews.Ref;
import io.dbops.protocol.StepOutput;
import io.dbops.support.Json;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * Turns a step's outputs into recorded state: its {@code history} (or {@code historyGzip}) rows
 * linked to the dbops executions that applied them, its pending changesets, its drift. Pure;
 * thread-safe.
 */
final class StateMapping {
  /** Longest decompressed history accepted (a corrupt or hostile output must not exhaust the heap). */
  static final int MAX_HISTORY_CHARS = 64 * 1024 * 1024;

  private StateMapping() {}

  /** Whether the output carries a history to record. */
  static boolean hasHistory(StepOutput output) {
    return output != null && (output.outputs().containsKey("history")
        || output.outputs().containsKey("historyGzip"));
  }

  /** The history JSON of the output: {@code history}, or {@code historyGzip} decompressed. */
  static JsonNode historyJson(StepOutput output) {
    String plain = output.outputs().get("history");
    try {
      if (plain != null) {
        return Json.mapper().readTree(plain);
      }
      byte[] gz = Base64.getDecoder().decode(output.outputs().get("historyGzip"));
      try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
        byte[] bytes = in.readNBytes(MAX_HISTORY_CHARS + 1);
        if (bytes.length > MAX_HISTORY_CHARS) {
          throw new IllegalArgumentException("the history output is over " + MAX_HISTORY_CHARS
              + " bytes uncompressed");
        }
        return Json.mapper().readTree(new String(bytes, StandardCharsets.UTF_8));
      }
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException("The step's history output cannot be read: " + e.getMessage(), e);
    }
  }

  /**
   * The rows to record. A row keeps the execution (and approvers) already recorded for it when
   * its deployment id did not change; a row of a deployment that ran one of the changesets this step
   * reports (its {@code changesets} outcome) belongs to {@code executionId}; any other row was
   * applied outside dbops (executionId null).
   *
   * @param previous the target's rows as recorded so far
   */
  static List<Changeset> rows(JsonNode history, StepOutput output, String executionId,
      List<String> approvedBy, List<Changeset> previous) {
    Map<String, Changeset> before = new HashMap<>();
    previous.forEach(c -> before.put(c.key() + "|" + nz(c.deploymentId()), c));
    Set<String> touched = new HashSet<>();
    output.changesets().forEach(cs -> touched.add(cs.file() + "::" + cs.id() + "::" + cs.author()));
    List<Changeset> parsed = new ArrayList<>();
    for (JsonNode r : history) {
      parsed.add(new Changeset(r.path("id").asText(), r.path("author").asText(""),
          r.path("file").asText(""), r.path("checksum").asText(""), r.path("dateExecuted").asText(""),
          r.path("orderExecuted").asInt(0), r.path("execType").asText(""), r.path("tag").asText(""),
          r.path("deploymentId").asText(""), null, List.of()));
    }
    Set<String> ourDeployments = new HashSet<>();
    for (Changeset c : parsed) {
      if (touched.contains(c.key()) && !c.deploymentId().isEmpty()) {
        ourDeployments.add(c.deploymentId());
      }
    }
    List<Changeset> rows = new ArrayList<>(parsed.size());
    for (Changeset c : parsed) {
      Changeset known = before.get(c.key() + "|" + c.deploymentId());
      String exec = null;
      List<String> approvers = List.of();
      if (known != null && known.executionId() != null) {
        exec = known.executionId();
        approvers = known.approvedBy();
      } else if (executionId != null && ourDeployments.contains(c.deploymentId())) {
        exec = executionId;
        approvers = approvedBy;
      }
      rows.add(new Changeset(c.id(), c.author(), c.file(), c.checksum(), c.dateExecuted(),
          c.orderExecuted(), c.execType(), c.tag(), c.deploymentId(), exec, approvers));
    }
    return rows;
  }

  /** The changesets a status or preview step reports as pending. */
  static List<Ref> pending(StepOutput output) {
    return output.changesets().stream().filter(cs -> "PENDING".equals(cs.state()))
        .map(cs -> new Ref(cs.id(), cs.author(), cs.file())).toList();
  }

  /** The drift step's differences as lines; empty when none. */
  static List<String> differences(StepOutput output) {
    return io.dbops.controlplane.executions.DriftGateSteps.differences(output.outputs().get("drift"));
  }

  /** Distinct tags of the history, oldest first. */
  static List<String> tags(List<Changeset> rows) {
    List<String> tags = new ArrayList<>();
    for (Changeset c : rows) {
      if (c.tag() != null && !c.tag().isEmpty() && !tags.contains(c.tag())) {
        tags.add(c.tag());
      }
    }
    return tags;
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }
}
