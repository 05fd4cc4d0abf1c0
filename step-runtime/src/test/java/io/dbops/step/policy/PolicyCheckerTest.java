package io.dbops.step.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

class PolicyCheckerTest {
  private static final ColumnTypes LIVE = (table, column) -> Optional.ofNullable(Map.of(
      "t.code", SqlType.parse("varchar(100)"),
      "t.qty", SqlType.parse("bigint"),
      "t.price", SqlType.parse("numeric(10,2)"),
      "t.body", SqlType.parse("text")).get((table + "." + column).toLowerCase()));

  private static List<String> rulesHit(String... statements) {
    PlannedChangeSet cs = new PlannedChangeSet("f.sql", "1", "a", Set.of(), Set.of(), List.of(statements));
    return new PolicyChecker(PolicyFile.builtins()).check(List.of(cs), LIVE).stream().map(Violation::rule).toList();
  }

  @Test
  void builtInsFindDropTableDropColumnAndTruncateInEachDialect() {
    assertThat(rulesHit("DROP TABLE public.t")).containsExactly("drop-table");
    assertThat(rulesHit("drop table if exists `t`")).containsExactly("drop-table");
    assertThat(rulesHit("ALTER TABLE public.t DROP COLUMN note")).containsExactly("drop-column");
    assertThat(rulesHit("ALTER TABLE t DROP note")).containsExactly("drop-column");
    assertThat(rulesHit("ALTER TABLE t ADD x INT, DROP COLUMN IF EXISTS y")).containsExactly("drop-column");
    assertThat(rulesHit("TRUNCATE TABLE t")).containsExactly("truncate");
    assertThat(rulesHit("truncate t")).containsExactly("truncate");
  }

  @Test
  void builtInsIgnoreLookAlikes() {
    assertThat(rulesHit(
        "ALTER TABLE t DROP CONSTRAINT fk_x",
        "ALTER TABLE t ALTER COLUMN c DROP NOT NULL",
        "ALTER TABLE t ALTER COLUMN c DROP DEFAULT",
        "ALTER TABLE t DROP FOREIGN KEY fk_x",
        "ALTER TABLE t DROP INDEX idx_x",
        "ALTER TABLE t DROP PRIMARY KEY",
        "DROP INDEX idx_x",
        "INSERT INTO audit (what) VALUES ('DROP TABLE t')",
        "-- DROP TABLE t\nSELECT 1",
        "/* truncate t */ UPDATE t SET qty = 1",
        "CREATE TABLE drop_table_log (id INT)")).isEmpty();
  }

  @Test
  void narrowingComparesWithTheCurrentTypeInEachDialect() {
    assertThat(rulesHit("ALTER TABLE public.t ALTER COLUMN code TYPE VARCHAR(20) USING (code::VARCHAR(20))"))
        .containsExactly("narrow-column-type");
    assertThat(rulesHit("ALTER TABLE t MODIFY code VARCHAR(20)")).containsExactly("narrow-column-type");
    assertThat(rulesHit("ALTER TABLE t CHANGE code code2 VARCHAR(20)")).containsExactly("narrow-column-type");
    assertThat(rulesHit("ALTER TABLE PUBLIC.T ALTER COLUMN CODE SET DATA TYPE VARCHAR(20)")).containsExactly("narrow-column-type");
    assertThat(rulesHit("ALTER TABLE t ALTER COLUMN qty INT")).containsExactly("narrow-column-type");
    assertThat(rulesHit("ALTER TABLE t ALTER COLUMN price TYPE numeric(10,1)")).containsExactly("narrow-column-type");
    assertThat(rulesHit("ALTER TABLE t ALTER COLUMN price TYPE int")).containsExactly("narrow-column-type");
    assertThat(rulesHit("ALTER TABLE t MODIFY body VARCHAR(255)")).containsExactly("narrow-column-type");
    // Widening, unknown columns and unrelated alterations pass.
    assertThat(rulesHit("ALTER TABLE t ALTER COLUMN code TYPE VARCHAR(200)", "ALTER TABLE t MODIFY qty BIGINT",
        "ALTER TABLE t ALTER COLUMN price TYPE numeric(12,2)", "ALTER TABLE t ALTER COLUMN unknown TYPE VARCHAR(1)",
        "ALTER TABLE t ALTER COLUMN code SET NOT NULL", "ALTER TABLE t ALTER COLUMN code SET DEFAULT 'x'")).isEmpty();
  }

  @Test
  void narrowingRemembersTypesSetByEarlierStatements() {
    assertThat(rulesHit("ALTER TABLE t MODIFY code VARCHAR(500)", "ALTER TABLE t MODIFY code VARCHAR(300)"))
        .containsExactly("narrow-column-type");
  }

  @Test
  void ruleFileOverridesBuiltInsAddsPatternsAndExempts() throws Exception {
    Object yaml = new Yaml().load("""
        rules:
          - id: drop-table
            severity: warning
          - id: truncate
            exempt: {contexts: [cleanup], changesets: ["x.sql::7::bob"]}
          - id: no-grant
            description: no grants
            pattern: '\\bGRANT\\b'
        """);
    List<PolicyRule> rules = PolicyFile.merge(PolicyFile.parse(yaml, "p.yaml"));
    PlannedChangeSet cleanup = new PlannedChangeSet("x.sql", "1", "bob", Set.of("cleanup"), Set.of(), List.of("TRUNCATE t"));
    PlannedChangeSet named = new PlannedChangeSet("x.sql", "7", "bob", Set.of(), Set.of(), List.of("TRUNCATE t"));
    PlannedChangeSet other = new PlannedChangeSet("x.sql", "8", "bob", Set.of(), Set.of(),
        List.of("TRUNCATE t", "DROP TABLE t", "grant select on t to x"));

    List<Violation> found = new PolicyChecker(rules).check(List.of(cleanup, named, other), ColumnTypes.NONE);

    assertThat(found).extracting(Violation::rule, Violation::severity, Violation::changeSet).containsExactly(
        org.assertj.core.groups.Tuple.tuple("truncate", PolicyRule.Severity.ERROR, "x.sql::8::bob"),
        org.assertj.core.groups.Tuple.tuple("drop-table", PolicyRule.Severity.WARNING, "x.sql::8::bob"),
        org.assertj.core.groups.Tuple.tuple("no-grant", PolicyRule.Severity.ERROR, "x.sql::8::bob"));
    assertThat(found.get(2).describe()).isEqualTo("rule no-grant (no grants) in changeset x.sql::8::bob: matches"
        + " /\\bGRANT\\b/ at 'grant' | statement: grant select on t to x");
  }

  @Test
  void invalidRuleFilesReportEveryProblem() {
    Object yaml = new Yaml().load("""
        rules:
          - id: a
          - id: b
            pattern: '('
          - id: c
            builtin: drop-everything
            severity: fatal
          - description: no id
        """);

    assertThatThrownBy(() -> PolicyFile.parse(yaml, "p.yaml"))
        .hasMessageContaining("rule 'a': needs a pattern or a builtin")
        .hasMessageContaining("rule 'b': pattern is not a valid regular expression")
        .hasMessageContaining("rule 'c': unknown builtin 'drop-everything'")
        .hasMessageContaining("rule 'c': severity must be error, warning or off, not 'fatal'")
        .hasMessageContaining("rules[3]: id is required");
  }
}
