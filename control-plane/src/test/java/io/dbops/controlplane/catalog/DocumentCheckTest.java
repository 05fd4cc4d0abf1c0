package io.dbops.controlplane.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.dbops.pipeline.PipelineLimits;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The declarative document: every problem at once, each with its line and column. */
class DocumentCheckTest {
  private static final CatalogValidator VALIDATOR = new CatalogValidator(PipelineLimits.DEFAULTS);

  static final String GOOD = """
      apiVersion: dbops/v1
      environments:
        - name: dev
          order: 1
        - name: prod
          order: 3
          protection:
            approval: {required: 2, roles: [approver], starterMayApprove: false, timeoutSeconds: 600}
            requirePolicy: true
            delegateSelectors: [prod]
      targets:
        - name: orders-dev
          environment: dev
          url: jdbc:postgresql://127.0.0.1:5432/orders
          username: app
          passwordFrom: env:ORDERS_PASSWORD
          labels: {tenant: acme, region: eu}
          liquibase:
            contexts: dev
            databaseChangelogTableName: databasechangelog
      pipelines:
        - name: orders
          inputs:
            - name: ref
              required: true
          stages:
            - name: dev
              target: orders-dev
              steps:
                - name: update
                  type: apply
                  changelog: changelog.xml
                  tag: ${inputs.ref}
      """;

  @Test
  void aGoodDocumentIsRead() {
    CatalogDocument doc = DocumentCheck.read(GOOD, "/work/repo", Set.of(), Set.of(), VALIDATOR);
    assertThat(doc.environments()).extracting(Environment::name).containsExactly("dev", "prod");
    assertThat(doc.environments().get(1).approvalRule().required()).isEqualTo(2);
    assertThat(doc.targets().get(0).database().databaseChangelogTableName())
        .isEqualTo("databasechangelog");
    assertThat(doc.pipelines().get(0).stages().get(0).steps().get(0).searchPath())
        .isEqualTo("/work/repo");
  }

  @Test
  void everyProblemIsListedAtOnceWithItsLocation() {
    String bad = """
        apiVersion: dbops/v2
        environments:
          - name: dev
          - name: staging
            colour: blue
        targets:
          - name: orders-dev
            environment: qa
            url: jdbc:postgresql://app:hunter2@db/orders
            passwordFrom: hunter2
          - name: orders-dev
            environment: dev
            url: jdbc:postgresql://db/orders
            liquibase:
              databaseChangelogTableName: "drop table x"
        pipelines:
          - name: orders
            stages:
              - name: dev
                target: nowhere
                steps:
                  - name: update
                    type: aply
                    changelog: changelog.xml
                    tag: ${inputs.ref}
        """;
    CatalogException e = catchThrowableOfType(CatalogException.class,
        () -> DocumentCheck.read(bad, "/repo", Set.of(), Set.of(), VALIDATOR));
    List<String> problems = e.problems();
    assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("line 1, column 1: apiVersion"
        + " 'dbops/v2' is not known"));
    assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("line 5, column 5:"
        + " environments[1].colour is not a known field"));
    assertThat(problems).anySatisfy(p -> assertThat(p).isEqualTo("line 8, column 5:"
        + " targets[0].environment names environment 'qa', which is neither stored nor in this"
        + " document"));
    assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("line 9, column 5:"
        + " targets[0].url must not contain a password (found in the user info"));
    assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("line 10, column 5:"
        + " targets[0].passwordFrom must be one of"));
    assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("line 11, column 5:"
        + " targets[1].name 'orders-dev' is used twice"));
    assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("line 15, column 7:"
        + " targets[1].liquibase.databaseChangelogTableName 'drop table x' must be an SQL name"));
    assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("line 20, column 9:"
        + " pipelines[0].stages[0].target names target 'nowhere'"));
    assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("line 23, column 13:"
        + " pipelines[0].stages[0].steps[0].type must be one of"));
    assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("line 25, column 13:"
        + " pipelines[0].stages[0].steps[0].tag uses ${inputs.ref}, but the pipeline declares no"
        + " input 'ref'"));
    assertThat(problems).hasSize(10);
    assertThat(String.join("\n", problems)).doesNotContain("hunter2");
  }

  @Test
  void theExampleInTheRepositoryIsValid() throws Exception {
    java.nio.file.Path example = java.nio.file.Path.of("../examples/team/dbops.yaml");
    CatalogDocument doc = DocumentCheck.read(java.nio.file.Files.readString(example),
        example.toAbsolutePath().normalize().getParent().toString(), Set.of(), Set.of(), VALIDATOR);
    assertThat(doc.pipelines().get(0).stages().get(1).steps().get(0).searchPath())
        .endsWith("examples");
  }

  @Test
  void storedObjectsSatisfyReferences() {
    String doc = """
        apiVersion: dbops/v1
        targets:
          - {name: orders-prod, environment: prod, url: "jdbc:postgresql://db/orders"}
        """;
    assertThat(DocumentCheck.read(doc, null, Set.of("prod"), Set.of(), VALIDATOR).targets())
        .hasSize(1);
  }

  @Test
  void syntaxErrorsDuplicateKeysAndWrongShapesAreLocated() {
    CatalogException syntax = catchThrowableOfType(CatalogException.class, () -> DocumentCheck.read(
        "apiVersion: dbops/v1\nenvironments: [\n", null, Set.of(), Set.of(), VALIDATOR));
    assertThat(syntax.problems()).singleElement().asString().contains("not valid YAML")
        .startsWith("line ");
    CatalogException shapes = catchThrowableOfType(CatalogException.class, () -> DocumentCheck.read(
        """
        apiVersion: dbops/v1
        environments:
          - name: dev
            name: dev2
            order: first
        targets: orders
        """, null, Set.of(), Set.of(), VALIDATOR));
    assertThat(shapes.problems()).containsExactly(
        "line 4, column 5: environments[0].name is written twice; keep one");
    CatalogException types = catchThrowableOfType(CatalogException.class, () -> DocumentCheck.read(
        """
        apiVersion: dbops/v1
        environments:
          - name: dev
            order: first
            protection: [a]
        targets: orders
        """, null, Set.of(), Set.of(), VALIDATOR));
    assertThat(types.problems()).anySatisfy(p -> assertThat(p).startsWith("line 5, column 5:"
        + " environments[0].protection must be a mapping"));
    assertThat(types.problems()).anySatisfy(p -> assertThat(p).isEqualTo("line 6, column 1:"
        + " targets must be a list"));
  }

  @Test
  void aStoredPipelineNamesTargetsNotDatabases() {
    String doc = """
        apiVersion: dbops/v1
        pipelines:
          - name: orders
            stages:
              - name: dev
                environment: dev
                database: {url: "jdbc:h2:mem:x"}
                steps: [{name: update, type: apply, changelog: c.xml, searchPath: relative}]
        """;
    CatalogException e = catchThrowableOfType(CatalogException.class,
        () -> DocumentCheck.read(doc, null, Set.of(), Set.of(), VALIDATOR));
    assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("stages[0].database: a stored"))
        .anySatisfy(p -> assertThat(p).contains("stages[0].environment: a stored"))
        .anySatisfy(p -> assertThat(p).contains("stages[0].target is required"))
        .anySatisfy(p -> assertThat(p).contains("steps[0].searchPath must be an absolute path"));
  }
}
