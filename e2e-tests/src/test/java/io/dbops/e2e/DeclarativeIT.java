package io.dbops.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.testsupport.TestDatabase;
import io.dbops.testsupport.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The declarative file against the real distribution (issue 15): {@code dbops apply -f} creates
 * environments, targets and a pipeline, applying it again changes nothing, an invalid file lists
 * every problem with its line and column, and {@code dbops run NAME --input ...} applies the
 * changelog to a PostgreSQL database through the stored target (and an ad-hoc file may name it).
 */
class DeclarativeIT {
  private static final Duration CLI = Duration.ofMinutes(2);
  private static final Duration RUN = Duration.ofMinutes(4);

  @TempDir static Path work;
  private static Cluster cluster;
  private static Cluster.Server server;

  @BeforeAll
  static void start() throws Exception {
    cluster = new Cluster(work);
    server = cluster.server("server", 0, Map.of());
    cluster.delegate(server.url(), server.api().createToken("declarative"), "declarative",
        "delegate", Map.of("DBOPS_TAGS", "pg"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  static String document(String url, String username) {
    return """
        apiVersion: dbops/v1
        environments:
          - name: dev
            order: 1
          - name: prod
            order: 3
            protection:
              approval: {required: 1, roles: [approver], starterMayApprove: false}
              delegateSelectors: [pg]
        targets:
          - name: orders-dev
            environment: dev
            url: %s
            username: %s
            delegateSelectors: [pg]
            labels: {tenant: acme, region: eu}
        pipelines:
          - name: orders
            inputs:
              - name: ref
                description: the tag recorded after the update
                required: true
            stages:
              - name: dev
                target: orders-dev
                steps:
                  - name: update
                    type: apply
                    changelog: changelog.yaml
                    tag: ${inputs.ref}
        """.formatted(url, username);
  }

  private static DbopsProcess cli(String... args) throws Exception {
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--server";
    all[args.length + 1] = server.url();
    return DbopsProcess.run(work, Map.of(), args[0].equals("run") ? RUN : CLI, all);
  }

  @Test
  void applyCreatesThenChangesNothingAndARunAppliesThroughTheStoredTarget() throws Exception {
    try (TestDatabase db = TestDatabases.create(TestDatabases.Kind.POSTGRES)) {
      Path repo = Files.createDirectories(work.resolve("repo"));
      Files.writeString(repo.resolve("dbops.yaml"), document(db.jdbcUrl(), db.username()));
      Pipelines.copy("good", java.util.List.of("changelog.yaml"), repo, Map.of());

      DbopsProcess dry = cli("apply", "-f", repo.resolve("dbops.yaml").toString(), "--dry-run");
      assertThat(dry.exitCode()).as(dry.text()).isZero();
      assertThat(dry.text()).contains("pipeline/orders would be created (version 1)")
          .contains("Dry run: 4 object(s) would change; nothing was changed.");

      DbopsProcess first = cli("apply", "-f", repo.resolve("dbops.yaml").toString());
      assertThat(first.exitCode()).as(first.text()).isZero();
      assertThat(first.text()).contains("environment/dev created").contains("environment/prod created")
          .contains("target/orders-dev created").contains("pipeline/orders created (version 1)")
          .contains("4 object(s) changed.");

      DbopsProcess again = cli("apply", "-f", repo.resolve("dbops.yaml").toString());
      assertThat(again.exitCode()).as(again.text()).isZero();
      assertThat(again.text()).contains("environment/dev unchanged")
          .contains("pipeline/orders unchanged (version 1)").contains("0 object(s) changed.")
          .doesNotContain(" created").doesNotContain(" updated");

      DbopsProcess targets = cli("get", "targets");
      assertThat(targets.exitCode()).as(targets.text()).isZero();
      assertThat(targets.text()).contains("orders-dev").contains("dev").contains("region=eu");
      DbopsProcess describe = cli("describe", "pipeline", "orders");
      assertThat(describe.exitCode()).as(describe.text()).isZero();
      assertThat(describe.text()).contains("Version:  1").contains("target: orders-dev")
          .contains("tag: \"${inputs.ref}\"");
      DbopsProcess json = cli("get", "environments", "prod", "--output", "json");
      assertThat(json.text()).contains("\"delegateSelectors\":[\"pg\"]");

      DbopsProcess missingInput = cli("run", "orders");
      assertThat(missingInput.exitCode()).as(missingInput.text()).isEqualTo(65);
      assertThat(missingInput.text()).contains("input 'ref' is required");
      assertThat(db.tableExists("accounts")).isFalse();

      DbopsProcess run = cli("run", "orders", "--input", "ref=v42");
      assertThat(run.exitCode()).as(run.text()).isZero();
      assertThat(run.text()).contains("of pipeline orders version 1").contains("SUCCEEDED");
      assertThat(db.tableExists("accounts")).isTrue();
      assertThat(db.tableExists("ledger")).isTrue();
      assertThat(db.queryLong("SELECT COUNT(*) FROM databasechangelog WHERE tag = 'v42'"))
          .isEqualTo(1);

      // an ad-hoc pipeline file may name the stored target instead of a database
      Files.writeString(repo.resolve("adhoc.yaml"), """
          name: adhoc-status
          stages:
            - name: dev
              target: orders-dev
              steps:
                - {name: status, type: status, changelog: changelog.yaml}
          """);
      DbopsProcess adHoc = cli("run", repo.resolve("adhoc.yaml").toString());
      assertThat(adHoc.exitCode()).as(adHoc.text()).isZero();
      assertThat(adHoc.text()).contains("of pipeline adhoc-status submitted").contains("SUCCEEDED");
    }
  }

  @Test
  void anInvalidFileListsEveryProblemWithItsLocation() throws Exception {
    Path repo = Files.createDirectories(work.resolve("invalid"));
    Files.writeString(repo.resolve("dbops.yaml"), """
        apiVersion: dbops/v1
        environments:
          - name: staging
            colour: blue
        targets:
          - name: orders-qa
            environment: qa
            url: jdbc:postgresql://app:s3cret-canary@127.0.0.1/orders
        pipelines:
          - name: broken
            stages:
              - name: qa
                target: orders-nowhere
                steps:
                  - {name: update, type: aply, changelog: changelog.yaml}
        """);
    DbopsProcess bad = cli("apply", "-f", repo.resolve("dbops.yaml").toString());
    assertThat(bad.exitCode()).as(bad.text()).isEqualTo(65);
    String file = repo.resolve("dbops.yaml").toString();
    assertThat(bad.text()).contains("is not valid: 5 problem(s)")
        .contains(file + ": line 4, column 5: environments[0].colour is not a known field")
        .contains(file + ": line 7, column 5: targets[0].environment names environment 'qa'")
        .contains(file + ": line 8, column 5: targets[0].url must not contain a password")
        .contains(file + ": line 13, column 9: pipelines[0].stages[0].target names target"
            + " 'orders-nowhere'")
        .contains(file + ": line 15, column ")
        .contains("pipelines[0].stages[0].steps[0].type must be one of")
        .doesNotContain("s3cret-canary");
    DbopsProcess none = cli("get", "pipelines", "broken");
    assertThat(none.exitCode()).isNotZero();
  }
}
