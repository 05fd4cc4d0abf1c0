package io.dbops.protocol;

import java.util.List;

/**
 * Output of a successful {@link TaskTypes#INIT_STAGE} task.
 *
 * @param podName the pod created
 * @param liteEngineAddress host:port of the lite engine's gRPC server
 * @param stepPorts ports of the step containers, in order
 */
public record InitStageOutput(String podName, String liteEngineAddress, List<Integer> stepPorts) {
  public InitStageOutput {
    stepPorts = stepPorts == null ? List.of() : List.copyOf(stepPorts);
  }
}
