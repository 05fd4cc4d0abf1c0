package io.dbops.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineLoaderTest {
  @TempDir Path dir;

  @Test
  void resolvesChangelogSearchPathAgainstThePipelineFile() throws Exception {
    Path file = write("""
        name: orders
        stages:
          - name: dev
            database: {url: "jdbc:h2:mem:x", username: sa, passwordFrom: "env:DB_PW"}
            steps:
              - {name: apply, type: apply, changelog: db/changelog.yaml}
              - {name: other, type: status, changelog: c.yaml, searchPath: sub}
        """);

    Pipeline pipeline = new PipelineLoader().load(file);

    Step apply = pipeline.stages().get(0).steps().get(0);
    assertThat(apply.searchPath()).isEqualTo(dir.toAbsolutePath().toString());
    assertThat(apply.changelog()).isEqualTo("db/changelog.yaml");
    assertThat(pipeline.stages().get(0).steps().get(1).searchPath())
        .isEqualTo(dir.resolve("sub").toAbsolutePath().toString());
    assertThat(pipeline.stages().get(0).database().passwordFrom()).isEqualTo("env:DB_PW");
  }

  @Test
  void reportsEveryProblemAtOnce() throws Exception {
    Path file = write("""
        stages:
          - name: Dev Stage
            database: {url: "postgres://x", passwordFrom: "vault:x"}
            steps:
              - {name: a, type: explode}
              - {name: a, type: rollback, changelog: c.yaml}
        """);

    assertThatThrownBy(() -> new PipelineLoader().load(file))
        .isInstanceOf(PipelineException.class)
        .satisfies(e -> assertThat(((PipelineException) e).problems()).containsExactlyInAnyOrder(
            "'name' is required",
            "stages[0].name 'Dev Stage' must be 1-40 lowercase letters, digits or '-', starting and ending with a letter or digit",
            "stages[0].database.url must be a JDBC URL starting with 'jdbc:'",
            "stages[0].database.passwordFrom must be one of " + io.dbops.secrets.SecretSource.FORMS,
            "stages[0].steps[0].type must be one of [apply, approval, clone, drift, history, policy, preview, rollback, status, sync, tag, validate], not 'explode'",
            "stages[0].steps[0].changelog is required",
            "stages[0].steps[1].name 'a' is used twice",
            "stages[0].steps[1] is a rollback: set 'tag' or a 'count' of at least 1"));
  }

  @Test
  void namesAnUnknownFieldAndTheKnownOnes() throws Exception {
    Path file = write("""
        name: x
        stagez: []
        """);
    assertThatThrownBy(() -> new PipelineLoader().load(file))
        .isInstanceOf(PipelineException.class)
        .hasMessageContaining("unknown field 'stagez' in pipeline; expected one of [")
        .hasMessageContaining("stages");
  }

  @Test
  void reportsAMissingFile() {
    assertThatThrownBy(() -> new PipelineLoader().load(dir.resolve("nope.yaml")))
        .isInstanceOf(PipelineException.class)
        .hasMessageContaining("nope.yaml")
        .hasMessageContaining("cannot read the file");
  }

  private Path write(String yaml) throws Exception {
    Path file = dir.resolve("pipeline.yaml");
    Files.writeString(file, yaml);
    return file;
  }
}
