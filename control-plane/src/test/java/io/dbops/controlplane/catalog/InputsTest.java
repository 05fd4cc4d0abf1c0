package io.dbops.controlplane.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.pipeline.Database;
import io.dbops.pipeline.Pipeline;
import io.dbops.pipeline.Stage;
import io.dbops.pipeline.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Inputs: values, defaults, and where ${inputs.NAME} is (and is not) replaced. */
class InputsTest {
  static final List<PipelineInput> DECLARED = List.of(
      new PipelineInput("ref", "the git ref", true, null),
      new PipelineInput("contexts", null, false, "prod"),
      new PipelineInput("note", null, false, null));

  @Test
  void givenValuesDefaultsAndProblemsAllAtOnce() {
    List<String> problems = new ArrayList<>();
    Map<String, String> values = Inputs.values(DECLARED, Map.of("ref", "v42"), problems);
    assertThat(problems).isEmpty();
    assertThat(values).containsEntry("ref", "v42").containsEntry("contexts", "prod")
        .containsEntry("note", "");

    Inputs.values(DECLARED, Map.of("colour", "blue", "contexts", "a\nb"), problems);
    assertThat(problems).containsExactly(
        "input 'ref' is required (the git ref); give it with --input ref=VALUE",
        "input 'contexts' must not contain control characters (line breaks, tabs, ...)",
        "input 'colour' is not declared by the pipeline; it declares [contexts, note, ref]");
  }

  @Test
  void substitutesStepStringFieldsButNeverTheDatabase() {
    Step step = new Step("update", "apply", "db/${inputs.ref}/changelog.xml", "/repo",
        "${inputs.contexts}", null, "${inputs.ref}", null,
        Map.of("schema", "s_${inputs.ref}"), null);
    Database db = new Database("jdbc:h2:mem:${inputs.ref}", "${inputs.ref}", null);
    Pipeline p = new Pipeline("orders", List.of(new Stage("dev", db, List.of(step), List.of(), 0)));
    Pipeline out = Inputs.substitute(p, Map.of("ref", "v42", "contexts", "prod"));
    Step s = out.stages().get(0).steps().get(0);
    assertThat(s.changelog()).isEqualTo("db/v42/changelog.xml");
    assertThat(s.contexts()).isEqualTo("prod");
    assertThat(s.tag()).isEqualTo("v42");
    assertThat(s.parameters()).containsEntry("schema", "s_v42");
    assertThat(s.searchPath()).isEqualTo("/repo");
    assertThat(out.stages().get(0).database().url()).isEqualTo("jdbc:h2:mem:${inputs.ref}");
    assertThat(out.stages().get(0).database().username()).isEqualTo("${inputs.ref}");
  }

  @Test
  void referencesOutsideTheStepFieldsAreRefused() {
    Stage stage = new Stage("dev", null, List.of(new Step("update", "apply", "c.xml",
        "/${inputs.ref}", null, null, "${inputs.rev}", null, Map.of(), null)), List.of("${inputs.ref}"),
        0, null, "orders-dev", null, null, null);
    List<String> problems = new ArrayList<>();
    Inputs.check(new StoredPipeline("orders", null, DECLARED, List.of(stage)), "pipelines[0]",
        problems);
    assertThat(problems).containsExactlyInAnyOrder(
        "pipelines[0].stages[0].steps[0].searchPath uses ${inputs...}, which is replaced only in"
            + " the step fields [changelog, contexts, into, labels, policyFile, ref, repo, tag] and"
            + " parameter values",
        "pipelines[0].stages[0].steps[0].tag uses ${inputs.rev}, but the pipeline declares no input"
            + " 'rev' (it declares [contexts, note, ref])",
        "pipelines[0].stages[0].delegateSelectors[0] uses ${inputs...}, which is replaced only in"
            + " the step fields [changelog, contexts, into, labels, policyFile, ref, repo, tag] and"
            + " parameter values");
  }
}
