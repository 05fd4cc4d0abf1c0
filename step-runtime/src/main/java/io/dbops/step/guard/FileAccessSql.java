package io.dbops.step.guard;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds SQL that reads or writes files of the database host (or runs host code) in H2,
 * PostgreSQL and MySQL/MariaDB: case-insensitive, after comments are stripped (MySQL's executable
 * {@code /*! ... *}{@code /} comments are kept, since MySQL runs them). Every dialect's patterns are
 * checked whatever the database: a false positive is allowed by {@code sqlFileAccess}, a miss is not.
 * Stateless and thread-safe.
 */
final class FileAccessSql {
  private record Rule(String name, Pattern pattern) {}

  private static final List<Rule> RULES = List.of(
      // H2
      rule("FILE_WRITE", "\\bFILE_WRITE\"?\\s*\\("),
      rule("FILE_READ", "\\bFILE_READ\"?\\s*\\("),
      rule("CSVWRITE", "\\bCSVWRITE\"?\\s*\\("),
      rule("CSVREAD", "\\bCSVREAD\"?\\s*\\("),
      rule("RUNSCRIPT", "\\bRUNSCRIPT\\b"),
      rule("SCRIPT ... TO", "\\bSCRIPT\\b[^;]*?\\bTO\\s*'"),
      rule("LINK_SCHEMA", "\\bLINK_SCHEMA\"?\\s*\\("),
      rule("CREATE ALIAS", "\\bCREATE\\s+(FORCE\\s+)?ALIAS\\b"),
      rule("CREATE TRIGGER with Java code", "\\bCREATE\\s+(FORCE\\s+)?TRIGGER\\b[\\s\\S]*?\\b(CALL\\s*\"|AS\\s*(\\$\\$|'))"),
      rule("JAVA_OBJECT", "\\bJAVA_OBJECT\\b"),
      // PostgreSQL
      rule("COPY ... TO/FROM a file or program", "\\bCOPY\\b[^;]*?\\b(TO|FROM)\\s+(PROGRAM\\b|E?')"),
      rule("pg_read_file", "\\bpg_read_file\\s*\\("),
      rule("pg_read_binary_file", "\\bpg_read_binary_file\\s*\\("),
      rule("pg_ls_dir", "\\bpg_ls_dir\\s*\\("),
      rule("lo_import", "\\blo_import\\s*\\("),
      rule("lo_export", "\\blo_export\\s*\\("),
      // MySQL / MariaDB
      rule("INTO OUTFILE", "\\bINTO\\s+OUTFILE\\b"),
      rule("INTO DUMPFILE", "\\bINTO\\s+DUMPFILE\\b"),
      rule("LOAD_FILE", "\\bLOAD_FILE\\s*\\("),
      rule("LOAD DATA ... INFILE", "\\bLOAD\\s+(DATA|XML)\\b[\\s\\S]*?\\bINFILE\\b"));

  private FileAccessSql() {}

  private static Rule rule(String name, String regex) {
    return new Rule(name, Pattern.compile(regex, Pattern.CASE_INSENSITIVE));
  }

  /** The name of the first file-access construct in {@code sql} (for example "FILE_WRITE"); null if none. */
  static String find(String sql) {
    if (sql == null || sql.isBlank()) {
      return null;
    }
    // Backslash escapes in strings (MySQL) and not (PostgreSQL, H2) end strings at different places,
    // and so decide what is a comment: a construct found under either reading counts.
    for (boolean backslashEscapes : new boolean[] {false, true}) {
      String text = stripComments(sql, backslashEscapes);
      for (Rule rule : RULES) {
        Matcher m = rule.pattern().matcher(text);
        if (m.find()) {
          return rule.name();
        }
      }
    }
    return null;
  }

  private static final Pattern DOLLAR_TAG = Pattern.compile("\\$[A-Za-z_]?[A-Za-z_0-9]*\\$");

  /**
   * {@code sql} with {@code --} and {@code /* *}{@code /} comments replaced by a space (outside
   * quoted strings, identifiers and PostgreSQL dollar-quoted strings); the content of {@code /*!}
   * comments is kept.
   *
   * @param backslashEscapes whether a backslash in a string escapes the next character (MySQL)
   */
  static String stripComments(String sql, boolean backslashEscapes) {
    StringBuilder out = new StringBuilder(sql.length());
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      Matcher dollar = c == '$' ? DOLLAR_TAG.matcher(sql).region(i, n) : null;
      if (dollar != null && dollar.lookingAt()) {
        String tag = dollar.group();
        int close = sql.indexOf(tag, i + tag.length());
        int end = close < 0 ? n : close + tag.length();
        out.append(sql, i, end);
        i = end;
      } else if (c == '\'' || c == '"' || c == '`') {
        int end = i + 1;
        while (end < n && sql.charAt(end) != c) {
          end += backslashEscapes && sql.charAt(end) == '\\' ? 2 : 1;
        }
        end = Math.min(end + 1, n);
        out.append(sql, i, end);
        i = end;
      } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
        while (i < n && sql.charAt(i) != '\n') {
          i++;
        }
        out.append(' ');
      } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
        boolean executable = i + 2 < n && sql.charAt(i + 2) == '!';
        int end = sql.indexOf("*/", i + 2);
        end = end < 0 ? n : end;
        out.append(' ');
        if (executable) {
          // MySQL runs /*!NNNNN ... */: keep what is inside, without the version number.
          int start = i + 3;
          while (start < end && Character.isDigit(sql.charAt(start))) {
            start++;
          }
          out.append(sql, start, end).append(' ');
        }
        i = Math.min(end + 2, n);
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }
}
