package io.dbops.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The catalog API on the real server: environments, targets and versioned pipelines through PUT,
 * GET, DELETE and the declarative apply; runs of stored pipelines; tokens limited to environments.
 */
class CatalogIT {
  static final String DOCUMENT = """
      apiVersion: dbops/v1
      environments:
        - {name: dev, order: 1}
        - name: prod
          order: 3
          protection:
            approval: {required: 1, roles: [approver]}
            delegateSelectors: [prod-zone]
      targets:
        - name: orders-dev
          environment: dev
          url: jdbc:h2:mem:orders-dev
          username: sa
          passwordFrom: env:ORDERS_DB_PASSWORD
          labels: {tenant: acme}
        - name: orders-prod
          environment: prod
          url: jdbc:h2:mem:orders-prod
          username: sa
          delegateSelectors: [eu]
          liquibase: {contexts: prod, databaseChangelogTableName: databasechangelog}
      pipelines:
        - name: orders
          inputs:
            - {name: ref, description: the tag to record, required: true}
          stages:
            - name: dev
              target: orders-dev
              steps:
                - {name: update, type: apply, changelog: changelog.xml, tag: "${inputs.ref}"}
            - name: prod
              target: orders-prod
              steps:
                - {name: update, type: apply, changelog: changelog.xml, tag: "${inputs.ref}"}
      """;

  @TempDir Path dataDir;
  ControlPlane controlPlane;
  TestClient admin;

  @BeforeEach
  void start() {
    controlPlane = new ControlPlane(Fixtures.config(dataDir));
    controlPlane.start();
    admin = TestClient.of(controlPlane);
  }

  @AfterEach
  void stop() {
    controlPlane.close();
  }

  TestClient.Reply apply(String document, boolean dryRun) {
    return admin.post("/api/v1/apply?baseDirectory=/work/repo" + (dryRun ? "&dryRun=true" : ""),
        document);
  }

  static List<String> actions(TestClient.Reply reply) {
    List<String> actions = new java.util.ArrayList<>();
    reply.json().path("changes").forEach(c -> actions.add(c.path("kind").asText() + "/"
        + c.path("name").asText() + "=" + c.path("action").asText()));
    return actions;
  }

  @Test
  void applyCreatesThenChangesNothingThenMakesANewPipelineVersion() {
    TestClient.Reply dry = apply(DOCUMENT, true);
    assertThat(dry.code()).as(dry.body()).isEqualTo(200);
    assertThat(actions(dry)).containsExactly("environment/dev=created", "environment/prod=created",
        "target/orders-dev=created", "target/orders-prod=created", "pipeline/orders=created");
    assertThat(admin.get("/api/v1/environments").json()).isEmpty();

    assertThat(actions(apply(DOCUMENT, false))).containsExactly("environment/dev=created",
        "environment/prod=created", "target/orders-dev=created", "target/orders-prod=created",
        "pipeline/orders=created");
    assertThat(actions(apply(DOCUMENT, false))).allMatch(a -> a.endsWith("=unchanged"));

    TestClient.Reply changed = apply(DOCUMENT.replace("the tag to record", "the release tag"), false);
    assertThat(actions(changed)).containsExactly("environment/dev=unchanged",
        "environment/prod=unchanged", "target/orders-dev=unchanged",
        "target/orders-prod=unchanged", "pipeline/orders=updated");
    assertThat(changed.json().path("changes").get(4).path("version").asInt()).isEqualTo(2);

    JsonNode versions = admin.get("/api/v1/pipelines/orders/versions").json();
    assertThat(versions).extracting(v -> v.path("version").asInt()).containsExactly(2, 1);
    assertThat(admin.get("/api/v1/pipelines/orders/versions/1").json().path("spec")
        .path("inputs").get(0).path("description").asText()).isEqualTo("the tag to record");
    JsonNode pipeline = admin.get("/api/v1/pipelines/orders").json();
    assertThat(pipeline.path("version").asInt()).isEqualTo(2);
    assertThat(pipeline.path("spec").path("stages").get(0).path("steps").get(0).path("searchPath")
        .asText()).isEqualTo("/work/repo");
    assertThat(admin.get("/api/v1/environments").json()).extracting(e -> e.path("name").asText())
        .containsExactly("dev", "prod");
    JsonNode target = admin.get("/api/v1/targets/orders-prod").json();
    assertThat(target.path("spec").path("liquibase").path("databaseChangelogTableName").asText())
        .isEqualTo("databasechangelog");
    assertThat(target.path("updatedBy").asText()).startsWith("bootstrap-admin");

    String audit = admin.get("/api/v1/audit?action=catalog.apply").body();
    assertThat(audit).contains("pipeline/orders").contains("updated (version 2)");
  }

  @Test
  void anInvalidDocumentListsEveryProblemAndStoresNothing() {
    TestClient.Reply bad = apply("""
        apiVersion: dbops/v1
        environments:
          - name: dev
        targets:
          - name: orders-dev
            environment: qa
            url: jdbc:postgresql://db/orders?password=canary-4711
            passwordFrom: canary-4711
            colour: blue
        """, false);
    assertThat(bad.code()).isEqualTo(400);
    assertThat(bad.json().path("details")).extracting(JsonNode::asText).containsExactly(
        "line 9, column 5: targets[0].colour is not a known field; targets[0] may have"
            + " [delegateSelectors, environment, labels, liquibase, name, passwordFrom, url,"
            + " username]");
    TestClient.Reply worse = apply("""
        apiVersion: dbops/v1
        environments:
          - name: dev
        targets:
          - name: orders-dev
            environment: qa
            url: jdbc:postgresql://db/orders?password=canary-4711
            passwordFrom: canary-4711
        """, false);
    assertThat(worse.json().path("details")).extracting(JsonNode::asText).hasSize(3)
        .anySatisfy(p -> assertThat(p).startsWith("line 6, column 5: targets[0].environment"))
        .anySatisfy(p -> assertThat(p).startsWith("line 7, column 5: targets[0].url must not"))
        .anySatisfy(p -> assertThat(p).startsWith("line 8, column 5: targets[0].passwordFrom"));
    assertThat(worse.body()).doesNotContain("canary-4711");
    assertThat(admin.get("/api/v1/environments").json()).isEmpty();
    assertThat(admin.get("/api/v1/audit?limit=50").body()).doesNotContain("canary-4711");
  }

  @Test
  void putGetDeleteAndReferences() {
    assertThat(admin.put("/api/v1/environments/dev", "{\"order\": 1}").code()).isEqualTo(201);
    assertThat(admin.put("/api/v1/environments/dev", "{\"order\": 1}").json().path("action")
        .asText()).isEqualTo("unchanged");
    assertThat(admin.put("/api/v1/environments/dev", "{\"name\":\"other\"}").code()).isEqualTo(400);
    assertThat(admin.put("/api/v1/environments/dev", "{\"orderr\": 1}").json().path("details")
        .get(0).asText()).startsWith("orderr is not a known field");
    TestClient.Reply target = admin.put("/api/v1/targets/orders-dev", Map.of("environment", "dev",
        "url", "jdbc:h2:mem:x"));
    assertThat(target.code()).as(target.body()).isEqualTo(201);
    assertThat(admin.put("/api/v1/targets/t2", Map.of("environment", "nope", "url", "jdbc:h2:mem:x"))
        .json().path("details").get(0).asText()).isEqualTo("environment names environment 'nope',"
            + " which is neither stored nor in this document");
    TestClient.Reply pipeline = admin.put("/api/v1/pipelines/p?baseDirectory=/repo", """
        {"stages":[{"name":"dev","target":"orders-dev","steps":[{"name":"s","type":"status",
        "changelog":"c.xml"}]}]}""");
    assertThat(pipeline.code()).as(pipeline.body()).isEqualTo(201);
    assertThat(pipeline.json().path("version").asInt()).isEqualTo(1);

    TestClient.Reply inUse = admin.delete("/api/v1/environments/dev");
    assertThat(inUse.code()).isEqualTo(409);
    assertThat(inUse.json().path("message").asText()).contains("still used by target 'orders-dev'");
    assertThat(admin.delete("/api/v1/targets/orders-dev").json().path("message").asText())
        .contains("still used by pipeline 'p'");
    assertThat(admin.delete("/api/v1/pipelines/p").code()).isEqualTo(200);
    assertThat(admin.get("/api/v1/pipelines/p").code()).isEqualTo(404);
    assertThat(admin.delete("/api/v1/targets/orders-dev").code()).isEqualTo(200);
    assertThat(admin.delete("/api/v1/environments/dev").code()).isEqualTo(200);
    assertThat(admin.delete("/api/v1/environments/dev").code()).isEqualTo(404);
    // a pipeline stored again after a delete continues its numbering
    admin.put("/api/v1/environments/dev", "{}");
    admin.put("/api/v1/targets/orders-dev", Map.of("environment", "dev", "url", "jdbc:h2:mem:x"));
    assertThat(admin.put("/api/v1/pipelines/p?baseDirectory=/repo", """
        {"stages":[{"name":"dev","target":"orders-dev","steps":[{"name":"s","type":"status",
        "changelog":"c.xml"}]}]}""").json().path("version").asInt()).isEqualTo(2);
    assertThat(admin.get("/api/v1/audit?action=environment.delete").body()).contains("\"ok\"");
  }

  @Test
  void runsResolveInputsAndTargetsAndHonourEnvironmentLimits() {
    assertThat(apply(DOCUMENT, false).code()).isEqualTo(200);
    TestClient.Reply missing = admin.post("/api/v1/pipelines/orders/runs", "{}");
    assertThat(missing.code()).isEqualTo(400);
    assertThat(missing.json().path("details").get(0).asText()).isEqualTo("input 'ref' is required"
        + " (the tag to record); give it with --input ref=VALUE");
    TestClient.Reply run = admin.post("/api/v1/pipelines/orders/runs",
        "{\"inputs\":{\"ref\":\"v42\"},\"source\":\"cli\"}");
    assertThat(run.code()).as(run.body()).isEqualTo(201);
    assertThat(run.json().path("version").asInt()).isEqualTo(1);
    String id = run.json().path("id").asText();
    assertThat(admin.get("/api/v1/executions/" + id).json().path("pipelineName").asText())
        .isEqualTo("orders");
    assertThat(admin.post("/api/v1/pipelines/nope/runs", "{}").code()).isEqualTo(404);
    assertThat(admin.post("/api/v1/pipelines/orders/runs", "{\"inputz\":{}}").code())
        .isEqualTo(400);

    String prodOnly = AccessFixture.token(admin, "prod-deployer", List.of("deployer"),
        List.of("prod"), List.of());
    TestClient.Reply refused = admin.as(prodOnly).post("/api/v1/pipelines/orders/runs",
        "{\"inputs\":{\"ref\":\"v42\"}}");
    assertThat(refused.code()).isEqualTo(403);
    assertThat(refused.json().path("message").asText()).contains("touches [dev]")
        .contains("rule: token environments");
    TestClient.Reply prodPipeline = admin.as(prodOnly).put("/api/v1/pipelines/prod-only?baseDirectory=/r",
        """
        {"stages":[{"name":"prod","target":"orders-prod","steps":[{"name":"s","type":"status",
        "changelog":"c.xml"}]}]}""");
    assertThat(prodPipeline.code()).as(prodPipeline.body()).isEqualTo(201);
    TestClient.Reply prodRun = admin.as(prodOnly).post("/api/v1/pipelines/prod-only/runs", "");
    assertThat(prodRun.code()).as(prodRun.body()).isEqualTo(201);
    String prodRunId = prodRun.json().path("id").asText();
    assertThat(admin.as(prodOnly).post("/api/v1/executions/" + prodRunId + "/abort", "{}").code())
        .isEqualTo(202);
    // an ad-hoc pipeline may name a stored environment (and is then within the token's limits)
    TestClient.Reply adHoc = admin.as(prodOnly).post("/api/v1/executions", """
        {"name":"adhoc","stages":[{"name":"prod","environment":"prod",
        "database":{"url":"jdbc:h2:mem:x"},"steps":[{"name":"s","type":"status",
        "changelog":"c.xml","searchPath":"/r"}]}]}""");
    assertThat(adHoc.code()).as(adHoc.body()).isEqualTo(201);
    TestClient.Reply unknownEnv = admin.post("/api/v1/executions", """
        {"name":"adhoc","stages":[{"name":"qa","environment":"qa",
        "database":{"url":"jdbc:h2:mem:x"},"steps":[{"name":"s","type":"status",
        "changelog":"c.xml","searchPath":"/r"}]}]}""");
    assertThat(unknownEnv.code()).isEqualTo(400);
    assertThat(unknownEnv.json().path("details").get(0).asText())
        .startsWith("stages[0].environment names environment 'qa', which does not exist");
    // writing environments and targets needs verb configure (admin), pipelines verb pipelines
    String deployer = AccessFixture.token(admin, "deployer", "deployer");
    TestClient.Reply configure = admin.as(deployer).post("/api/v1/apply?baseDirectory=/r", DOCUMENT);
    assertThat(configure.code()).isEqualTo(403);
    assertThat(configure.json().path("message").asText()).contains("needs verb 'configure'")
        .contains("rule: roles");
    String audit = admin.get("/api/v1/audit?action=pipeline.run").body();
    assertThat(audit).contains(id).contains("\"pipeline\":\"orders\"");
  }
}
