package io.dbops.step.policy;

import java.util.Optional;
import java.util.regex.Pattern;

/** What a rule looks for in one SQL statement (comments already stripped). */
public sealed interface StatementCheck permits StatementCheck.Regex, StatementCheck.Builtin {

  /**
   * @param types current column types, for checks that compare against them
   * @return a short detail when the statement breaks the check; empty otherwise
   */
  Optional<String> find(String statement, ColumnTypes types);

  /** A Java regular expression found anywhere in the statement (case-insensitive). */
  record Regex(Pattern pattern) implements StatementCheck {
    public Regex {
      java.util.Objects.requireNonNull(pattern, "pattern");
    }

    static Regex of(String regex) {
      return new Regex(Pattern.compile(regex, Pattern.CASE_INSENSITIVE | Pattern.DOTALL));
    }

    @Override
    public Optional<String> find(String statement, ColumnTypes types) {
      var m = pattern.matcher(statement);
      return m.find() ? Optional.of("matches /" + pattern.pattern() + "/ at '" + m.group() + "'") : Optional.empty();
    }
  }

  /** One of the built-in checks; they ignore the content of string literals. */
  record Builtin(BuiltinCheck kind) implements StatementCheck {
    public Builtin {
      java.util.Objects.requireNonNull(kind, "kind");
    }

    @Override
    public Optional<String> find(String statement, ColumnTypes types) {
      return kind.find(PolicyChecker.blankLiterals(statement), types);
    }
  }
}
