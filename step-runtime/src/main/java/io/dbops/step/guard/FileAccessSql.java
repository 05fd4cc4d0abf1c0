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
  /**
   * A construct: its name, a word every match contains (upper case; the regex runs only on text
   * that contains it) and its case-insensitive regex.
   */
  record Rule(String name, String keyword, Pattern pattern) {}

  static final List<Rule> RULES = List.of(
      // H2
      rule("FILE_WRITE", "FILE_WRITE", "\\bFILE_WRITE\"?\\s*\\("),
      rule("FILE_READ", "FILE_READ", "\\bFILE_READ\"?\\s*\\("),
      rule("CSVWRITE", "CSVWRITE", "\\bCSVWRITE\"?\\s*\\("),
      rule("CSVREAD", "CSVREAD", "\\bCSVREAD\"?\\s*\\("),
      rule("RUNSCRIPT", "RUNSCRIPT", "\\bRUNSCRIPT\\b"),
      rule("SCRIPT ... TO", "SCRIPT", "\\bSCRIPT\\b[^;]*?\\bTO\\s*'"),
      rule("LINK_SCHEMA", "LINK_SCHEMA", "\\bLINK_SCHEMA\"?\\s*\\("),
      rule("CREATE ALIAS", "ALIAS", "\\bCREATE\\s+(FORCE\\s+)?ALIAS\\b"),
      rule("CREATE TRIGGER with Java code", "TRIGGER", "\\bCREATE\\s+(FORCE\\s+)?TRIGGER\\b[\\s\\S]*?\\b(CALL\\s*\"|AS\\s*(\\$\\$|'))"),
      rule("JAVA_OBJECT", "JAVA_OBJECT", "\\bJAVA_OBJECT\\b"),
      // PostgreSQL
      rule("COPY ... TO/FROM a file or program", "COPY", "\\bCOPY\\b[^;]*?\\b(TO|FROM)\\s+(PROGRAM\\b|E?')"),
      rule("pg_read_file", "PG_READ_FILE", "\\bpg_read_file\\s*\\("),
      rule("pg_read_binary_file", "PG_READ_BINARY_FILE", "\\bpg_read_binary_file\\s*\\("),
      rule("pg_ls_dir", "PG_LS_DIR", "\\bpg_ls_dir\\s*\\("),
      rule("lo_import", "LO_IMPORT", "\\blo_import\\s*\\("),
      rule("lo_export", "LO_EXPORT", "\\blo_export\\s*\\("),
      // MySQL / MariaDB
      rule("INTO OUTFILE", "OUTFILE", "\\bINTO\\s+OUTFILE\\b"),
      rule("INTO DUMPFILE", "DUMPFILE", "\\bINTO\\s+DUMPFILE\\b"),
      rule("LOAD_FILE", "LOAD_FILE", "\\bLOAD_FILE\\s*\\("),
      rule("LOAD DATA ... INFILE", "INFILE", "\\bLOAD\\s+(DATA|XML)\\b[\\s\\S]*?\\bINFILE\\b"));

  private FileAccessSql() {}

  private static Rule rule(String name, String keyword, String regex) {
    return new Rule(name, keyword, Pattern.compile(regex, Pattern.CASE_INSENSITIVE));
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
      String upper = asciiUpperCase(text);
      for (Rule rule : RULES) {
        // The regexes are ASCII case-insensitive and each contains its keyword literally, so text
        // without the keyword in upper case cannot match: most SQL runs no regex at all.
        if (upper.contains(rule.keyword()) && rule.pattern().matcher(text).find()) {
          return rule.name();
        }
      }
    }
    return null;
  }

  /** {@code text} with a-z in upper case and every other character as it is (the regexes' case folding). */
  static String asciiUpperCase(String text) {
    char[] chars = text.toCharArray();
    for (int i = 0; i < chars.length; i++) {
      char c = chars[i];
      if (c >= 'a' && c <= 'z') {
        chars[i] = (char) (c - ('a' - 'A'));
      }
    }
    return new String(chars);
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
