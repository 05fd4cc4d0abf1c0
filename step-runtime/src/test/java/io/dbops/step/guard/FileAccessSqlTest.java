package io.dbops.step.guard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class FileAccessSqlTest {
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "CALL FILE_WRITE('x', '/tmp/f')|FILE_WRITE",
      "select file_read('/etc/passwd')|FILE_READ",
      "CALL CSVWRITE('/tmp/x.csv', 'SELECT 1')|CSVWRITE",
      "SELECT * FROM CSVREAD('/etc/passwd')|CSVREAD",
      "RUNSCRIPT FROM '/tmp/x.sql'|RUNSCRIPT",
      "SCRIPT TO '/tmp/dump.sql'|SCRIPT ... TO",
      "CALL LINK_SCHEMA('a','','jdbc:h2:mem:x','sa','','PUBLIC')|LINK_SCHEMA",
      "CREATE ALIAS EXEC AS 'String e(String c) { return c; }'|CREATE ALIAS",
      "CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW CALL \"org.Evil\"|CREATE TRIGGER with Java code",
      "CREATE TABLE t(o JAVA_OBJECT)|JAVA_OBJECT",
      "COPY t TO '/tmp/t.csv'|COPY ... TO/FROM a file or program",
      "copy t from program 'id'|COPY ... TO/FROM a file or program",
      "SELECT pg_read_file('/etc/passwd')|pg_read_file",
      "SELECT pg_read_binary_file('/etc/passwd')|pg_read_binary_file",
      "SELECT pg_ls_dir('.')|pg_ls_dir",
      "SELECT lo_import('/etc/passwd')|lo_import",
      "SELECT lo_export(1, '/tmp/x')|lo_export",
      "SELECT * FROM t INTO OUTFILE '/tmp/x'|INTO OUTFILE",
      "SELECT a INTO   DUMPFILE '/tmp/x' FROM t|INTO DUMPFILE",
      "SELECT LOAD_FILE('/etc/passwd')|LOAD_FILE",
      "LOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE t|LOAD DATA ... INFILE",
      "CALL FILE_WRITE/**/('x', '/tmp/f')|FILE_WRITE",
      "SELECT 1 INTO/* c */OUTFILE '/tmp/x'|INTO OUTFILE",
      "SELECT 1 /*!50000 INTO OUTFILE '/tmp/x' */|INTO OUTFILE",
      "SELECT 'a\\' -- ' INTO OUTFILE '/tmp/x'|INTO OUTFILE",
      "SELECT $$ -- $$, pg_read_file('/etc/passwd')|pg_read_file",
      "select Pg_Read_File('/etc/passwd')|pg_read_file",
      "Copy t To Program 'id'|COPY ... TO/FROM a file or program",
      "load xml local infile '/etc/passwd' into table t|LOAD DATA ... INFILE"})
  void findsFileAccess(String sql, String construct) {
    assertThat(FileAccessSql.find(sql)).isEqualTo(construct);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "CREATE TABLE copy_log (id INT, file_name VARCHAR(100))",
      "INSERT INTO t VALUES (1) -- FILE_WRITE('x', '/tmp/f') in a comment",
      "/* SELECT pg_read_file('/etc/passwd') */ SELECT 1",
      "UPDATE t SET outfile = 1",
      "CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW EXECUTE FUNCTION f()",
      "SELECT 1"})
  void letsOrdinarySqlThrough(String sql) {
    assertThat(FileAccessSql.find(sql)).isNull();
  }

  /** The keyword filter must never hide a match: every rule's regex contains its keyword literally. */
  @Test
  void everyRulesKeywordIsInItsRegex() {
    assertThat(FileAccessSql.RULES).allSatisfy(rule -> {
      assertThat(rule.keyword()).isEqualTo(rule.keyword().toUpperCase(Locale.ROOT));
      assertThat(rule.pattern().pattern().toUpperCase(Locale.ROOT)).contains(rule.keyword());
    });
  }

  @Test
  void upperCasesOnlyAsciiLetters() {
    assertThat(FileAccessSql.asciiUpperCase("copy ß ı é Z_9")).isEqualTo("COPY ß ı é Z_9");
  }
}
