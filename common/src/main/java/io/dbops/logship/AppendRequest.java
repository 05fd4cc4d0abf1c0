package io.dbops.logship;

import java.util.List;

/**
 * Body of {@code POST /api/v1/logs}: a batch of consecutive lines of one stream, and optionally the
 * stream's latest progress. Appends are idempotent by sequence number, so a retried batch never
 * duplicates a line. {@code lines} may be empty when the request only reports progress.
 *
 * @param progress the step's progress when the batch was sent; null when unchanged or unknown
 */
public record AppendRequest(String stream, List<LogLine> lines, Progress progress) {
  public AppendRequest {
    lines = lines == null ? List.of() : List.copyOf(lines);
  }

  /** A batch without progress. */
  public AppendRequest(String stream, List<LogLine> lines) {
    this(stream, lines, null);
  }
}
