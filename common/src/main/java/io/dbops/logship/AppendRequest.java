package io.dbops.logship;

import java.util.List;

/**
 * Body of {@code POST /api/v1/logs}: a batch of consecutive lines of one stream. Appends are
 * idempotent by sequence number, so a retried batch never duplicates a line.
 */
public record AppendRequest(String stream, List<LogLine> lines) {
  public AppendRequest {
    lines = List.copyOf(lines);
  }
}
