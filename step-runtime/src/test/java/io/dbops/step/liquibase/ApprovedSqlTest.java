package io.dbops.step.liquibase;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The SQL hash rule: what it normalises, and how a refusal names what changed. */
class ApprovedSqlTest {
  private static final ApprovedSql.Entry ONE = entry("db/a.sql::1::ann", "CREATE TABLE a (id INT);\n");
  private static final ApprovedSql.Entry TWO = entry("db/a.sql::2::ann", "INSERT INTO a VALUES (1);\n");
  private static final ApprovedSql.Entry THREE = entry("db/a.sql::3::bob", "DROP TABLE a;\n");

  private static ApprovedSql.Entry entry(String name, String sql) {
    return new ApprovedSql.Entry(name, ApprovedSql.sha256(ApprovedSql.normalise(sql)));
  }

  @Test
  void lineEndingsTrailingBlanksAndEmptyLinesDoNotCount() {
    assertThat(ApprovedSql.normalise("CREATE TABLE a (\r\n  id INT   \r\n\r\n);\n\n"))
        .isEqualTo(ApprovedSql.normalise("CREATE TABLE a (\n  id INT\n);"))
        .isEqualTo("CREATE TABLE a (\n  id INT\n);\n");
  }

  @Test
  void whatTheStatementsSayCounts() {
    assertThat(ApprovedSql.normalise("CREATE TABLE a (id INT);"))
        .isNotEqualTo(ApprovedSql.normalise("CREATE TABLE a (id BIGINT);"))
        .isNotEqualTo(ApprovedSql.normalise("create table a (id int);"));
    // indentation inside a statement is kept: a string literal may hold it
    assertThat(ApprovedSql.normalise("  x")).isNotEqualTo(ApprovedSql.normalise("x"));
  }

  @Test
  void theHashCoversNamesOrderAndSqlAndIsHex() {
    String hash = ApprovedSql.hash(List.of(ONE, TWO));
    assertThat(hash).matches("[0-9a-f]{64}").isEqualTo(ApprovedSql.hash(List.of(ONE, TWO)));
    assertThat(ApprovedSql.hash(List.of(TWO, ONE))).isNotEqualTo(hash);
    assertThat(ApprovedSql.hash(List.of(ONE, new ApprovedSql.Entry("db/a.sql::2::eve", TWO.hash()))))
        .isNotEqualTo(hash);
    assertThat(ApprovedSql.manifest(List.of(ONE))).isEqualTo(ONE.hash() + " db/a.sql::1::ann\n");
  }

  @Test
  void theSameSqlIsNoRefusal() {
    assertThat(ApprovedSql.refusal(ApprovedSql.hash(List.of(ONE, TWO)), List.of(ONE, TWO))).isNull();
    assertThat(ApprovedSql.refusal(ApprovedSql.hash(List.of(ONE, TWO)).toUpperCase(), List.of(ONE, TWO))).isNull();
  }

  @Test
  void changesetsAppendedAfterTheApprovalAreNamed() {
    String refusal = ApprovedSql.refusal(ApprovedSql.hash(List.of(ONE)), List.of(ONE, TWO, THREE));
    assertThat(refusal).contains("appeared since the approval: db/a.sql::2::ann, db/a.sql::3::bob")
        .contains("Nothing was applied");
  }

  @Test
  void aChangesetInsertedInTheMiddleIsNamed() {
    String refusal = ApprovedSql.refusal(ApprovedSql.hash(List.of(ONE, THREE)), List.of(ONE, TWO, THREE));
    assertThat(refusal).contains("changeset appeared since the approval: db/a.sql::2::ann")
        .doesNotContain("bob");
  }

  @Test
  void changedSqlNamesEveryPendingChangesetAsCandidate() {
    ApprovedSql.Entry changed = entry("db/a.sql::2::ann", "INSERT INTO a VALUES (2);\n");
    String refusal = ApprovedSql.refusal(ApprovedSql.hash(List.of(ONE, TWO)), List.of(ONE, changed));
    assertThat(refusal).contains("changed or they are new: db/a.sql::1::ann, db/a.sql::2::ann");
  }

  @Test
  void nothingPendingAnyMoreIsARefusalToo() {
    assertThat(ApprovedSql.refusal(ApprovedSql.hash(List.of(ONE)), List.of()))
        .contains("no changeset is pending any more");
  }
}
