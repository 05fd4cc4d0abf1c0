package io.dbops.step.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Runs rules over the statements of pending changesets, in order. Column types set by earlier
 * statements are remembered for the narrowing check. Stateless between calls.
 */
public final class PolicyChecker {
  private final List<PolicyRule> rules;

  public PolicyChecker(List<PolicyRule> rules) {
    this.rules = List.copyOf(rules);
  }

  /** Every violation (errors and warnings), in changeset and statement order. */
  public List<Violation> check(List<PlannedChangeSet> changeSets, ColumnTypes live) {
    Map<String, SqlType> changed = new HashMap<>();
    ColumnTypes types = (table, column) -> {
      SqlType t = changed.get((table + "." + column).toLowerCase(Locale.ROOT));
      return t != null ? Optional.of(t) : live.typeOf(table, column);
    };
    List<Violation> violations = new ArrayList<>();
    for (PlannedChangeSet cs : changeSets) {
      for (String raw : cs.statements()) {
        String sql = normalize(raw);
        if (sql.isEmpty()) {
          continue;
        }
        for (PolicyRule rule : rules) {
          if (rule.severity() == PolicyRule.Severity.OFF || rule.exempts(cs)) {
            continue;
          }
          rule.check().find(sql, types).ifPresent(detail -> violations.add(
              new Violation(rule.id(), rule.description(), rule.severity(), cs.name(), sql, detail)));
        }
        BuiltinCheck.NARROW_COLUMN_TYPE.recordTypes(blankLiterals(sql), (key, type) -> changed.put(key.toLowerCase(Locale.ROOT), type));
      }
    }
    return violations;
  }

  /** The statement with the content of each '...' literal replaced by spaces. */
  static String blankLiterals(String sql) {
    StringBuilder out = new StringBuilder(sql);
    boolean inside = false;
    for (int i = 0; i < out.length(); i++) {
      if (out.charAt(i) == '\'') {
        inside = !inside;
      } else if (inside) {
        out.setCharAt(i, ' ');
      }
    }
    return out.toString();
  }

  /** The statement without comments, whitespace collapsed to single spaces; string literals kept. */
  static String normalize(String sql) {
    StringBuilder out = new StringBuilder(sql.length());
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      if (c == '\'') {
        int end = i + 1;
        while (end < n && !(sql.charAt(end) == '\'' && (end + 1 >= n || sql.charAt(end + 1) != '\''))) {
          end += sql.charAt(end) == '\'' ? 2 : 1;
        }
        out.append(sql, i, Math.min(end + 1, n));
        i = end + 1;
      } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
        while (i < n && sql.charAt(i) != '\n') {
          i++;
        }
        out.append(' ');
      } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
        int end = sql.indexOf("*/", i + 2);
        i = end < 0 ? n : end + 2;
        out.append(' ');
      } else {
        out.append(Character.isWhitespace(c) ? ' ' : c);
        i++;
      }
    }
    return out.toString().replaceAll(" {2,}", " ").strip();
  }
}
