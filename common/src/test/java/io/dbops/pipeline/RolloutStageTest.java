package io.dbops.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RolloutStageTest {
  private static final Step APPLY =
      new Step("apply", "apply", "changelog.xml", "/work", null, null, null, null, Map.of(), null);

  private static Stage group(String selector, Rollout rollout, Database db, String target, String onFailure) {
    return new Stage("tenants", db, List.of(APPLY), List.of(), 0, null, target, null, onFailure, null,
        selector, rollout, null);
  }

  private static List<String> problems(PipelineValidator validator, Stage stage) {
    try {
      validator.validate("test", new Pipeline("fleet", List.of(stage)));
      return List.of();
    } catch (PipelineException e) {
      return e.problems();
    }
  }

  @Test
  void acceptsATargetGroupWithARolloutPolicy() {
    Rollout rollout = new Rollout(1, List.of("10%", "5", "rest"), 3, 3, "10%");
    assertThat(problems(new PipelineValidator(), group("tier=tenant,region=eu", rollout, null, null, "rollback")))
        .isEmpty();
  }

  @Test
  void refusesAStageNamingAGroupAndADatabaseOrATarget() {
    Database db = new Database("jdbc:postgresql://db:5432/x", "app", null);
    assertThat(problems(new PipelineValidator(), group("tier=tenant", null, db, null, null)))
        .containsExactly("stages[0] names a targetGroup and also a database; a stage names exactly one"
            + " of database, target and targetGroup");
    assertThat(problems(new PipelineValidator(), group("tier=tenant", null, null, "orders", null)))
        .containsExactly("stages[0] names a targetGroup and also a target; a stage names exactly one"
            + " of database, target and targetGroup");
  }

  @Test
  void refusesARolloutWithoutATargetGroup() {
    Stage stage = new Stage("dev", null, List.of(APPLY), List.of(), 0, null, "orders", null, null, null,
        null, Rollout.DEFAULTS, null);
    assertThat(problems(new PipelineValidator(), stage)).containsExactly("stages[0].rollout only applies"
        + " to a stage with a targetGroup (a label selector over stored targets, docs/fleet-rollouts.md)");
  }

  @Test
  void namesEachBadRolloutField() {
    Rollout bad = new Rollout(-1, List.of("rest", "ten", "0"), 0, 0, "many");
    assertThat(problems(new PipelineValidator(), group("tier=tenant", bad, null, null, null))).containsExactly(
        "stages[0].rollout.canary must be between 0 and 1000, not -1",
        "stages[0].rollout.waves[0] is \"rest\": it must be the last wave",
        "stages[0].rollout.waves[1] must be a count (\"5\"), a percentage (\"10%\") or \"rest\", not 'ten'",
        "stages[0].rollout.waves[2] must be a count (\"5\"), a percentage (\"10%\") or \"rest\", not '0'",
        "stages[0].rollout.maxParallel must be between 1 and 1000, not 0",
        "stages[0].rollout.perHost must be between 1 and 1000, not 0",
        "stages[0].rollout.failureBudget must be a count of at least 1 (\"2\") or a percentage (\"10%\"),"
            + " not 'many'");
  }

  @Test
  void refusesABadSelectorAndPauseInARollout() {
    assertThat(problems(new PipelineValidator(), group("tier", null, null, null, "pause"))).containsExactly(
        "stages[0].targetGroup must be key=value labels separated by commas (tier=tenant,region=eu); 'tier' is not",
        "stages[0].onFailure: pause is not supported in a rollout stage (one paused target would hold the"
            + " whole rollout); use fail or rollback");
    assertThat(problems(new PipelineValidator(), group("a=1,a=2", null, null, null, null)))
        .containsExactly("stages[0].targetGroup names label 'a' twice");
  }

  @Test
  void theControlPlaneNeedsTheGroupResolved() {
    PipelineValidator strict = new PipelineValidator().requiringDatabases();
    assertThat(problems(strict, group("tier=tenant", null, null, null, null))).containsExactly(
        "stages[0].targetGroup 'tier=tenant' was not resolved to any stored target");
    assertThat(problems(strict, group("tier=tenant", null, null, null, null).withGroupTargets(List.of("t1"))))
        .isEmpty();
  }

  @Test
  void wavesPutTheCanaryFirstAndRepeatTheLastSize() {
    assertThat(new Rollout(1, List.of("5"), null, null, null).waveOf(20))
        .containsExactly(0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 4, 4, 4, 4);
    assertThat(new Rollout(2, List.of("10%", "rest"), null, null, null).waveOf(10))
        .containsExactly(0, 0, 1, 2, 2, 2, 2, 2, 2, 2);
    assertThat(Rollout.DEFAULTS.waveOf(4)).containsExactly(0, 1, 1, 1);
    assertThat(new Rollout(0, List.of(), null, null, null).waveOf(3)).containsExactly(1, 1, 1);
    assertThat(new Rollout(5, List.of(), null, null, null).waveOf(2)).containsExactly(0, 0);
  }

  @Test
  void theBudgetIsACountOrARoundedUpShareAndAtLeastOne() {
    assertThat(Rollout.DEFAULTS.budget(200)).isEqualTo(1);
    assertThat(new Rollout(null, null, null, null, "2").budget(20)).isEqualTo(2);
    assertThat(new Rollout(null, null, null, null, "10%").budget(25)).isEqualTo(3);
    assertThat(new Rollout(null, null, null, null, "1%").budget(20)).isEqualTo(1);
  }

  @Test
  void selectorsMatchEveryLabel() {
    Map<String, String> sel = TargetSelector.parse("tier=tenant, region=eu");
    assertThat(TargetSelector.matches(sel, Map.of("tier", "tenant", "region", "eu", "x", "y"))).isTrue();
    assertThat(TargetSelector.matches(sel, Map.of("tier", "tenant", "region", "us"))).isFalse();
    assertThat(TargetSelector.matches(sel, Map.of("tier", "tenant"))).isFalse();
  }

  @Test
  void loadsTheNewFieldsFromYaml() throws Exception {
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("rollout-yaml");
    java.nio.file.Path file = dir.resolve("p.yaml");
    java.nio.file.Files.writeString(file, """
        name: fleet
        stages:
          - name: tenants
            targetGroup: tier=tenant,region=eu
            rollout: {canary: 1, waves: ["5"], maxParallel: 3, perHost: 3, failureBudget: "2"}
            steps:
              - {name: apply, type: apply, changelog: changelog.xml}
        """);
    Stage stage = new PipelineLoader().load(file).stages().get(0);
    assertThat(stage.targetGroup()).isEqualTo("tier=tenant,region=eu");
    assertThat(stage.rollout()).isEqualTo(new Rollout(1, List.of("5"), 3, 3, "2"));
    assertThat(stage.hasTargetGroup()).isTrue();
    assertThatThrownBy(() -> {
      java.nio.file.Files.writeString(file, file.toString().isEmpty() ? "" : """
          name: fleet
          stages:
            - name: tenants
              targetGroup: tier=tenant
              rollout: {canary: 1, wave: ["5"]}
              steps:
                - {name: apply, type: apply, changelog: changelog.xml}
          """);
      new PipelineLoader().load(file);
    }).isInstanceOf(PipelineException.class).hasMessageContaining("unknown field 'wave' in rollout");
  }
}
