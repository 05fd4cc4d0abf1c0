package io.dbops.controlplane;

import io.dbops.protocol.Frame;
import io.dbops.protocol.InitStageOutput;
import io.dbops.protocol.StepOutput;
import io.dbops.protocol.TaskStatus;
import io.dbops.protocol.TaskTypes;
import io.dbops.support.Json;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Canned delegate behaviour for orchestration tests. */
final class Scripts {
  private Scripts() {}

  /** Succeeds everything, except steps named in {@code failingSteps}. */
  static Function<Frame.TaskAssigned, Frame.TaskResult> succeedExcept(String... failingSteps) {
    List<String> failing = List.of(failingSteps);
    return a -> switch (a.taskType()) {
      case TaskTypes.INIT_STAGE -> new Frame.TaskResult(a.taskId(), a.attempt(), TaskStatus.SUCCEEDED,
          null, Json.tree(new InitStageOutput(a.payload().get("podName").asText(), "127.0.0.1:40123",
              List.of(20002, 20003, 20004))));
      case TaskTypes.EXECUTE_STEP -> {
        String step = a.payload().get("stepName").asText();
        if (failing.contains(step)) {
          yield new Frame.TaskResult(a.taskId(), a.attempt(), TaskStatus.FAILED,
              "Step " + step + " failed", Json.tree(new StepOutput("FAILED",
                  "Changeset 2::bob failed: relation \"orders\" already exists", Map.of(),
                  List.of(), 40, 3, 0)));
        }
        yield new Frame.TaskResult(a.taskId(), a.attempt(), TaskStatus.SUCCEEDED, null,
            Json.tree(new StepOutput("SUCCEEDED", null, Map.of("preStartTag", "dbops-pre-x"),
                List.of(new StepOutput.ChangeSet("1", "alice", "changelog.xml", "EXECUTED", 12, 1)),
                55, 4, 0)));
      }
      default -> new Frame.TaskResult(a.taskId(), a.attempt(), TaskStatus.SUCCEEDED, null, null);
    };
  }
}
