package io.dbops.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LiquibaseNamesTest {
  @TempDir Path dir;

  private Path pipeline(String database) throws Exception {
    return Files.writeString(dir.resolve("pipeline.yaml"), """
        name: orders
        stages:
          - name: dev
            database:
              url: jdbc:mariadb://db:3306/orders
        %s
            steps:
              - {name: apply, type: apply, changelog: db/changelog.xml}
        """.formatted(database.indent(6).stripTrailing()));
  }

  @Test
  void readsTheTableAndSchemaNamesOfTheDatabase() throws Exception {
    Pipeline loaded = new PipelineLoader().load(pipeline("""
        databaseChangelogTableName: databasechangelog
        databaseChangelogLockTableName: databasechangeloglock
        defaultSchemaName: orders
        liquibaseSchemaName: liquibase_meta"""));

    Database db = loaded.stages().get(0).database();
    assertThat(db.databaseChangelogTableName()).isEqualTo("databasechangelog");
    assertThat(db.databaseChangelogLockTableName()).isEqualTo("databasechangeloglock");
    assertThat(db.defaultSchemaName()).isEqualTo("orders");
    assertThat(db.liquibaseSchemaName()).isEqualTo("liquibase_meta");
  }

  @Test
  void listsEveryNameThatIsNotAPlainIdentifier() throws Exception {
    Path file = pipeline("""
        databaseChangelogTableName: "history; DROP TABLE x"
        databaseChangelogLockTableName: lock-table
        defaultSchemaName: ok_schema
        liquibaseSchemaName: "1meta\"""");

    assertThatThrownBy(() -> new PipelineLoader().load(file))
        .isInstanceOfSatisfying(PipelineException.class, e -> assertThat(e.problems()).containsExactly(
            "stages[0].database.databaseChangelogTableName must be a plain identifier (" + LiquibaseNames.RULE
                + "), not 'history; DROP TABLE x'",
            "stages[0].database.databaseChangelogLockTableName must be a plain identifier (" + LiquibaseNames.RULE
                + "), not 'lock-table'",
            "stages[0].database.liquibaseSchemaName must be a plain identifier (" + LiquibaseNames.RULE
                + "), not '1meta'"));
  }
}
