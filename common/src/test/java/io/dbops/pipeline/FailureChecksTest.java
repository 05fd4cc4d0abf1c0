package io.dbops.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FailureChecksTest {
  private static Stage stage(String name, String onFailure, Boolean allowIrreversible) {
    Step apply = new Step("apply", "apply", "changelog.xml", "/work", null, null, null, null, Map.of(), null);
    return new Stage(name, new Database("jdbc:h2:mem:x", "sa", null), List.of(apply), List.of(), 0, null,
        null, null, onFailure, allowIrreversible);
  }

  @Test
  void acceptsTheThreeStrategiesAndNone() {
    Pipeline ok = new Pipeline("p", List.of(stage("a", null, null), stage("b", "fail", null),
        stage("c", "rollback", true), stage("d", "pause", null)));
    assertThat(new PipelineValidator().validate("test", ok)).isSameAs(ok);
  }

  @Test
  void listsEveryWrongStrategyAndMisplacedAllowIrreversibleAtOnce() {
    Pipeline bad = new Pipeline("p", List.of(stage("a", "retry", null), stage("b", "pause", true),
        stage("c", null, true)));
    assertThatThrownBy(() -> new PipelineValidator().validate("test", bad))
        .isInstanceOf(PipelineException.class)
        .satisfies(e -> assertThat(((PipelineException) e).problems()).containsExactly(
            "stages[0].onFailure must be one of fail, rollback or pause, not 'retry'",
            "stages[1].allowIrreversible only applies with onFailure: rollback (the stage says onFailure: pause)",
            "stages[2].allowIrreversible only applies with onFailure: rollback (the stage says no onFailure,"
                + " which means fail)"));
  }

  @Test
  void theYamlFormReadsOnFailureAndAllowIrreversible(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("changelog.xml"), "<databaseChangeLog/>");
    Path file = dir.resolve("pipeline.yaml");
    Files.writeString(file, """
        name: p
        stages:
          - name: prod
            onFailure: rollback
            allowIrreversible: true
            database: {url: "jdbc:h2:mem:x", username: sa}
            steps:
              - {name: apply, type: apply, changelog: changelog.xml}
        """);
    Stage stage = new PipelineLoader().load(file).stages().get(0);
    assertThat(stage.onFailure()).isEqualTo("rollback");
    assertThat(stage.allowIrreversible()).isTrue();
  }
}
