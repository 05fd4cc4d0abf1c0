package io.dbops.controlplane.executions;

import java.util.Map;

/**
 * Who started an execution, from where, and from which stored pipeline.
 *
 * @param startedBy the identity's name (the token's owner, or the OIDC subject)
 * @param tokenName the name of the API token used; null when signed in otherwise
 * @param source {@code cli}, {@code api}, and later {@code webhook}
 * @param pipelineName the stored pipeline's name; for an ad-hoc run, the submitted pipeline's name
 * @param pipelineVersion the stored pipeline's version; null for an ad-hoc run
 * @param inputs the values given for the pipeline's declared inputs; empty for none
 */
public record ExecutionOrigin(
    String startedBy, String tokenName, String source, String pipelineName, Integer pipelineVersion,
    Map<String, String> inputs) {
  public ExecutionOrigin {
    inputs = inputs == null ? Map.of() : Map.copyOf(inputs);
  }
}
