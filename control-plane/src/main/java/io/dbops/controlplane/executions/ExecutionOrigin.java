package io.dbops.controlplane.executions;

import java.util.Map;

/**
 * Who started an execution, from where, and from which stored pipeline.
 *
 * @param startedBy the identity's name (the token's owner, or the OIDC subject)
 * @param tokenName the name of the API token used; null when signed in otherwise
 * @param source {@code cli}, {@code api}, {@code webhook}, {@code refresh} (a migration state
 *     refresh) or {@code rollout} (one target of a rollout)
 * @param pipelineName the stored pipeline's name; for an ad-hoc run, the submitted pipeline's name
 * @param pipelineVersion the stored pipeline's version; null for an ad-hoc run
 * @param inputs the values given for the pipeline's declared inputs; empty for none
 * @param parentId for a target of a rollout (source {@code rollout}), the rollout's execution; null
 *     otherwise
 * @param parentStage that execution's rollout stage; null otherwise
 */
public record ExecutionOrigin(
    String startedBy, String tokenName, String source, String pipelineName, Integer pipelineVersion,
    Map<String, String> inputs, String parentId, String parentStage) {
  public ExecutionOrigin {
    inputs = inputs == null ? Map.of() : Map.copyOf(inputs);
  }

  /** An execution that is not part of a rollout. */
  public ExecutionOrigin(String startedBy, String tokenName, String source, String pipelineName,
      Integer pipelineVersion, Map<String, String> inputs) {
    this(startedBy, tokenName, source, pipelineName, pipelineVersion, inputs, null, null);
  }

  /** The origin of one target's execution of the rollout stage {@code stage} of {@code parent}. */
  public ExecutionOrigin childOf(String parent, String stage) {
    return new ExecutionOrigin(startedBy, tokenName, "rollout", pipelineName, pipelineVersion, inputs,
        parent, stage);
  }
}
