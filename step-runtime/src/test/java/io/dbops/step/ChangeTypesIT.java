package io.dbops.step;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.proto.v1.StepKind;
import io.dbops.proto.v1.StepRequest;
import io.dbops.proto.v1.StepStatus;
import io.dbops.step.config.StepRuntimeConfig;
import io.dbops.step.guard.GuardedChangeType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Contract E against real databases: a changelog that would run a program on the step host, run a
 * Java class, or read or write host files through SQL is refused before anything runs (no lock, no
 * history table, no file), unless {@code DBOPS_STEP_ALLOW_CHANGE_TYPES} allows it.
 */
class ChangeTypesIT extends HarnessedStepIT {
  private static final String HEAD = """
      <databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog"
          xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
          xsi:schemaLocation="http://www.liquibase.org/xml/ns/dbchangelog
              http://www.liquibase.org/xml/ns/dbchangelog/dbchangelog-latest.xsd">
        <changeSet id="1" author="alice">
          <createTable tableName="guarded_first">
            <column name="id" type="int"/>
          </createTable>
        </changeSet>
      """;

  private Path canary;

  @ParameterizedTest
  @ValueSource(strings = {"H2", "POSTGRES", "MARIADB"})
  void refusesExecuteCommandBeforeAnythingRuns(String kind) throws Exception {
    target(kind);
    writeExecuteCommandChangelog();

    StepHarness.Run run = harness.execute(request(StepKind.STEP_KIND_APPLY));

    assertThat(run.result().getStatus()).isEqualTo(StepStatus.STEP_STATUS_FAILED);
    assertThat(run.result().getError()).isEqualTo("changeset changelog.xml::2::alice uses executeCommand, which this"
        + " delegate does not allow (rule: change types; to allow it set DBOPS_STEP_ALLOW_CHANGE_TYPES=executeCommand"
        + " on the delegate)");
    assertThat(canary).doesNotExist();
    assertThat(db.tableExists("DATABASECHANGELOG")).as("history table").isFalse();
    assertThat(db.tableExists("DATABASECHANGELOGLOCK")).as("lock table").isFalse();
    assertThat(db.tableExists("guarded_first")).as("the changeset before it").isFalse();
  }

  @Test
  void refusesAgainWhenTheSameChangelogComesBackOnAWarmRuntime() throws Exception {
    target("H2");
    writeExecuteCommandChangelog();

    harness.execute(request(StepKind.STEP_KIND_APPLY));
    StepHarness.Run again = harness.execute(request(StepKind.STEP_KIND_APPLY));

    assertThat(again.result().getError()).contains("uses executeCommand, which this delegate does not allow");
    assertThat(canary).doesNotExist();
  }

  @ParameterizedTest
  @EnumSource(value = StepKind.class, names = {"STEP_KIND_PREVIEW", "STEP_KIND_POLICY", "STEP_KIND_VALIDATE",
      "STEP_KIND_DRIFT"})
  void refusesExecuteCommandForEveryKindThatWouldRunOrRenderIt(StepKind kind) throws Exception {
    target("H2");
    writeExecuteCommandChangelog();

    StepHarness.Run run = harness.execute(request(kind));

    assertThat(run.result().getStatus()).isEqualTo(StepStatus.STEP_STATUS_FAILED);
    assertThat(run.result().getError()).contains("uses executeCommand, which this delegate does not allow");
    assertThat(canary).doesNotExist();
  }

  @Test
  void runsExecuteCommandWhenTheDelegateAllowsIt() throws Exception {
    harness.close();
    harness = new StepHarness(Map.of(StepHarness.PASSWORD_ENV, TargetDb.H2_PASSWORD),
        StepRuntimeConfig.builder().port(0).allowedChangeTypes(Set.of(GuardedChangeType.EXECUTE_COMMAND)).build());
    target("H2");
    writeExecuteCommandChangelog();

    StepHarness.Run run = harness.execute(request(StepKind.STEP_KIND_APPLY));

    assertThat(run.result().getStatus()).as(run.result().getError()).isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    assertThat(canary).exists();
    assertThat(db.changelogRows("2")).isEqualTo(1);
  }

  @Test
  void refusesACustomChange() throws Exception {
    target("H2");
    canary = tmp.resolve("custom-canary");
    write(HEAD + """
          <changeSet id="2" author="alice">
            <customChange class="io.dbops.step.CanaryCustomChange">
              <param name="canary" value="%s"/>
            </customChange>
          </changeSet>
        </databaseChangeLog>
        """.formatted(canary));

    StepHarness.Run run = harness.execute(request(StepKind.STEP_KIND_APPLY));

    assertThat(run.result().getError()).startsWith("changeset changelog.xml::2::alice uses customChange (class "
        + "io.dbops.step.CanaryCustomChange), which this delegate does not allow (rule: change types;"
        + " to allow it set DBOPS_STEP_ALLOW_CHANGE_TYPES=customChange on the delegate)");
    assertThat(db.tableExists("DATABASECHANGELOG")).isFalse();
    assertThat(canary).doesNotExist();
  }

  @Test
  void refusesH2FileWriteInAnSqlChange() throws Exception {
    target("H2");
    Path written = tmp.resolve("written-by-h2.txt");
    write(HEAD + """
          <changeSet id="2" author="alice">
            <sql>CALL /* hidden? */ FILE_WRITE(STRINGTOUTF8('owned'), '%s')</sql>
          </changeSet>
        </databaseChangeLog>
        """.formatted(written));

    StepHarness.Run run = harness.execute(request(StepKind.STEP_KIND_APPLY));

    assertThat(run.result().getError()).isEqualTo("changeset changelog.xml::2::alice uses SQL that reads or writes"
        + " host files (FILE_WRITE), which this delegate does not allow (rule: change types; to allow it set"
        + " DBOPS_STEP_ALLOW_CHANGE_TYPES=sqlFileAccess on the delegate)");
    assertThat(written).doesNotExist();
    assertThat(db.tableExists("DATABASECHANGELOG")).isFalse();
  }

  @Test
  void refusesH2FileReadInGeneratedSql() throws Exception {
    target("H2");
    write(HEAD + """
          <changeSet id="2" author="alice">
            <insert tableName="guarded_first">
              <column name="id" valueComputed="LENGTH(FILE_READ('/etc/hostname'))"/>
            </insert>
          </changeSet>
        </databaseChangeLog>
        """);

    StepHarness.Run run = harness.execute(request(StepKind.STEP_KIND_APPLY));

    assertThat(run.result().getError()).contains("uses SQL that reads or writes host files (FILE_READ)");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "<preConditions><sqlCheck expectedResult=\"0\">SELECT LENGTH(FILE_READ('/etc/hostname'))</sqlCheck></preConditions>"
          + "<sql>SELECT 1</sql>",
      "<sql>SELECT 1</sql><modifySql><append value=\" ; CALL FILE_WRITE(STRINGTOUTF8('x'), '/tmp/dbops-mod')\"/></modifySql>",
      "<sql>SELECT 1</sql><rollback><sql>CALL CSVWRITE('/tmp/dbops-rb.csv', 'SELECT 1')</sql></rollback>"})
  void refusesHostFileSqlInPreconditionsModifySqlAndRollbacks(String body) throws Exception {
    target("H2");
    write(HEAD + "<changeSet id=\"2\" author=\"alice\">" + body + "</changeSet></databaseChangeLog>");

    StepHarness.Run run = harness.execute(request(StepKind.STEP_KIND_APPLY));

    assertThat(run.result().getError()).startsWith("changeset changelog.xml::2::alice uses ")
        .contains("SQL that reads or writes host files").contains("DBOPS_STEP_ALLOW_CHANGE_TYPES=sqlFileAccess");
    assertThat(db.tableExists("DATABASECHANGELOG")).isFalse();
  }

  @Test
  void refusesPostgresCopyToAFile() throws Exception {
    target("POSTGRES");
    Path written = Path.of("/tmp/dbops-copy-" + System.nanoTime() + ".txt");
    write(HEAD + """
          <changeSet id="2" author="alice">
            <sql>COPY (SELECT 1) TO '%s'</sql>
          </changeSet>
        </databaseChangeLog>
        """.formatted(written));

    StepHarness.Run run = harness.execute(request(StepKind.STEP_KIND_APPLY));

    assertThat(run.result().getError()).contains("uses SQL that reads or writes host files (COPY ... TO/FROM a file"
        + " or program)").contains("DBOPS_STEP_ALLOW_CHANGE_TYPES=sqlFileAccess");
    assertThat(written).doesNotExist();
    assertThat(db.tableExists("DATABASECHANGELOG")).isFalse();
  }

  @Test
  void refusesMariaDbSelectIntoOutfile() throws Exception {
    target("MARIADB");
    write(HEAD + """
          <changeSet id="2" author="alice">
            <sql>SELECT 1 /*!INTO OUTFILE '/tmp/dbops-outfile.txt' */</sql>
          </changeSet>
        </databaseChangeLog>
        """);

    StepHarness.Run run = harness.execute(request(StepKind.STEP_KIND_APPLY));

    assertThat(run.result().getError()).contains("uses SQL that reads or writes host files (INTO OUTFILE)");
    assertThat(db.tableExists("DATABASECHANGELOG")).isFalse();
  }

  private void writeExecuteCommandChangelog() throws Exception {
    canary = tmp.resolve("canary-" + System.nanoTime());
    write(HEAD + """
          <changeSet id="2" author="alice">
            <executeCommand executable="touch">
              <arg value="%s"/>
            </executeCommand>
          </changeSet>
        </databaseChangeLog>
        """.formatted(canary));
  }

  private void write(String changelog) throws Exception {
    Files.writeString(tmp.resolve("changelog.xml"), changelog);
  }

  private StepRequest request(StepKind kind) {
    return StepHarness.request(kind, "changelog.xml", db).setSearchPath(tmp.toString()).build();
  }
}
