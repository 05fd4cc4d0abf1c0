package io.dbops.controlplane.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.pipeline.Pipeline;
import io.dbops.pipeline.Stage;
import io.dbops.pipeline.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A stage's target becomes its database, environment, selectors and Liquibase defaults. */
class StageResolverTest {
  static final Target TARGET = new Target("orders-prod", "prod",
      "jdbc:mariadb://127.0.0.1:3306/orders", "app", "env:E2E_PASSWORD", List.of("eu"),
      Map.of("tier", "gold"), new Target.Liquibase("prod", "!skip", Map.of("schema", "app",
          "owner", "ops"), "databasechangelog", "databasechangeloglock", "orders", "audit"));
  static final Environment PROD = new Environment("prod", 3,
      new Environment.Protection(null, true, List.of("prod-zone")));
  final StageResolver resolver = new StageResolver(
      name -> Optional.ofNullable(name.equals("orders-prod") ? TARGET : null),
      name -> Optional.ofNullable(name.equals("prod") ? PROD : null));

  static Step step(String name, String type, String contexts, Map<String, String> parameters) {
    return new Step(name, type, "changelog.xml", "/repo", contexts, null, null, null, parameters,
        null);
  }

  static Stage stage(String target, List<Step> steps) {
    return new Stage("prod", null, steps, List.of("linux"), 0, null, target, null, "fail", null);
  }

  @Test
  void aTargetBecomesDatabaseEnvironmentSelectorsAndDefaults() {
    List<String> problems = new ArrayList<>();
    Pipeline out = resolver.resolve(new Pipeline("orders", List.of(stage("orders-prod", List.of(
        step("check", "policy", null, Map.of()),
        step("update", "apply", "hotfix", Map.of("schema", "mine")))))), problems);
    assertThat(problems).isEmpty();
    Stage s = out.stages().get(0);
    assertThat(s.database().url()).isEqualTo(TARGET.url());
    assertThat(s.database().passwordFrom()).isEqualTo("env:E2E_PASSWORD");
    assertThat(s.database().databaseChangelogTableName()).isEqualTo("databasechangelog");
    assertThat(s.database().databaseChangelogLockTableName()).isEqualTo("databasechangeloglock");
    assertThat(s.database().defaultSchemaName()).isEqualTo("orders");
    assertThat(s.database().liquibaseSchemaName()).isEqualTo("audit");
    assertThat(s.environment()).isEqualTo("prod");
    assertThat(s.target()).isEqualTo("orders-prod");
    assertThat(s.onFailure()).isEqualTo("fail");
    assertThat(s.delegateSelectors()).containsExactly("linux", "eu", "prod-zone");
    assertThat(s.steps().get(0).contexts()).isEqualTo("prod");
    assertThat(s.steps().get(0).labels()).isEqualTo("!skip");
    assertThat(s.steps().get(1).contexts()).isEqualTo("hotfix");
    assertThat(s.steps().get(1).parameters()).containsEntry("schema", "mine")
        .containsEntry("owner", "ops");
  }

  @Test
  void unknownTargetsMissingPolicyAndBothDatabaseAndTargetAreProblems() {
    List<String> problems = new ArrayList<>();
    resolver.resolve(new Pipeline("orders", List.of(
        stage("nowhere", List.of(step("update", "apply", null, Map.of()))),
        stage("orders-prod", List.of(step("update", "apply", null, Map.of()))),
        new Stage("adhoc", null, List.of(step("update", "apply", null, Map.of())), List.of(), 0,
            null, null, "qa", null, null))), problems);
    assertThat(problems).containsExactly(
        "stages[0].target names target 'nowhere', which does not exist (list them with"
            + " `dbops get targets`)",
        "stages[1] deploys to environment 'prod', whose rule requirePolicy needs a step of type"
            + " policy before the first apply",
        "stages[2].environment names environment 'qa', which does not exist (list them with"
            + " `dbops get environments`)");
  }
}
