package io.dbops.cli.commands;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.support.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@code dbops run} takes for a file, and the one-line views of {@code dbops get}. */
class CatalogCommandsTest {
  @Test
  void pathsAndPipelineFileNamesAreFilesOtherNamesAreStoredPipelines() {
    assertThat(RunCommand.looksLikeAFile("pipeline.yaml")).isTrue();
    assertThat(RunCommand.looksLikeAFile("deploy/orders")).isTrue();
    assertThat(RunCommand.looksLikeAFile("p.JSON")).isTrue();
    assertThat(RunCommand.looksLikeAFile("orders")).isFalse();
    assertThat(RunCommand.looksLikeAFile("orders-v2.1")).isFalse();
  }

  @Test
  void kindsAreSingularOrPlural() {
    assertThat(GetCommand.plural("Target")).isEqualTo("targets");
    assertThat(GetCommand.plural("pipelines")).isEqualTo("pipelines");
    assertThat(GetCommand.plural("databases")).isNull();
  }

  @Test
  void targetsShowTheirEnvironmentAMaskedUrlAndLabels() throws Exception {
    JsonNode target = Json.mapper().readTree("""
        {"kind":"target","name":"orders-prod","spec":{"environment":"prod",
        "url":"jdbc:postgresql://db:5432/orders","labels":{"region":"eu","tier":"gold"}}}""");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    GetCommand.print("targets", List.of(target), new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String text = bytes.toString(StandardCharsets.UTF_8);
    assertThat(text).contains("NAME").contains("orders-prod").contains("prod")
        .contains("jdbc:postgresql://db:5432/orders").contains("region=eu,tier=gold");

    JsonNode env = Json.mapper().readTree("""
        {"kind":"environment","name":"prod","spec":{"order":3,"protection":{"approval":
        {"required":2,"roles":["approver"]},"requirePolicy":true,"delegateSelectors":["prod"]}}}""");
    bytes.reset();
    GetCommand.print("environments", List.of(env), new PrintStream(bytes, true, StandardCharsets.UTF_8));
    assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("2 of approver").contains("required")
        .contains("prod");
  }
}
