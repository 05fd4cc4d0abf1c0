package io.dbops.controlplane.catalog;

import java.util.Map;

/**
 * A run of a stored pipeline.
 *
 * @param version the pipeline version to run; null for the latest
 * @param inputs values of the pipeline's declared inputs
 * @param startedBy the caller's identity, tokenName its token's name (for the execution's origin)
 * @param source {@code cli} or {@code api}
 */
public record RunRequest(String pipeline, Integer version, Map<String, String> inputs,
    String startedBy, String tokenName, String source) {
  public RunRequest {
    inputs = inputs == null ? Map.of() : Map.copyOf(inputs);
  }
}
