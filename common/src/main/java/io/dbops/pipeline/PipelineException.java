package io.dbops.pipeline;

import java.util.List;

/** A pipeline that cannot run; the message lists every problem found, one per line. */
public final class PipelineException extends RuntimeException {
  private final List<String> problems;

  public PipelineException(String source, List<String> problems) {
    super("Invalid pipeline " + source + ":\n  - " + String.join("\n  - ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
