package io.dbops.api;

import java.util.List;

/**
 * A page of an execution's log, as {@code GET /api/v1/executions/{id}/logs} returns it.
 *
 * @param lines lines with {@code cursor} greater than the request's {@code after}, in order
 * @param next the cursor to pass as {@code after} for the following page
 * @param executionStatus the execution's status when the page was read
 */
public record LogPage(List<Line> lines, long next, String executionStatus) {
  public LogPage {
    lines = lines == null ? List.of() : List.copyOf(lines);
  }

  /**
   * One line of one of the execution's streams.
   *
   * @param cursor position in the execution's merged log, increasing in arrival order
   * @param stream the stream key, for example {@code executions/ID/dev/apply}
   * @param seq position in its own stream
   */
  public record Line(long cursor, String stream, long seq, long ts, String level, String text) {}
}
