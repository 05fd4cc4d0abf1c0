package io.dbops.step.policy;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The built-in statement checks. Statements arrive with comments stripped and whitespace collapsed. */
public enum BuiltinCheck {
  /** {@code DROP TABLE}. */
  DROP_TABLE("drop-table", "Dropping a table destroys its data") {
    @Override
    Optional<String> find(String sql, ColumnTypes types) {
      Matcher m = Pattern.compile("\\bDROP\\s+TABLE\\b(?:\\s+IF\\s+EXISTS)?\\s*(" + NAME + ")?", FLAGS).matcher(sql);
      return m.find() ? Optional.of("drops table " + (m.group(1) == null ? "?" : unquote(m.group(1)))) : Optional.empty();
    }
  },
  /** {@code ALTER TABLE t DROP [COLUMN] c} (not DROP CONSTRAINT/INDEX/DEFAULT/NOT NULL/...). */
  DROP_COLUMN("drop-column", "Dropping a column destroys its data") {
    private final Pattern drop = Pattern.compile("\\bDROP\\s+(?:COLUMN\\s+)?(?:IF\\s+EXISTS\\s+)?"
        + "(?!(?:CONSTRAINT|INDEX|PRIMARY|FOREIGN|KEY|CHECK|DEFAULT|NOT|PARTITION|IDENTITY|EXPRESSION|SYSTEM|PERIOD"
        + "|TRIGGER|UNIQUE|SEQUENCE)\\b)(" + NAME + ")", FLAGS);

    @Override
    Optional<String> find(String sql, ColumnTypes types) {
      Matcher table = ALTER_TABLE.matcher(sql);
      if (!table.lookingAt()) {
        return Optional.empty();
      }
      Matcher m = drop.matcher(sql);
      m.region(table.end(), sql.length());
      return m.find() ? Optional.of("drops column " + lastPart(table.group(1)) + "." + unquote(m.group(1)))
          : Optional.empty();
    }
  },
  /** {@code TRUNCATE [TABLE] t}. */
  TRUNCATE("truncate", "Truncating a table deletes all its rows") {
    @Override
    Optional<String> find(String sql, ColumnTypes types) {
      return Pattern.compile("^TRUNCATE\\b|\\bTRUNCATE\\s+TABLE\\b", FLAGS).matcher(sql).find()
          ? Optional.of("truncates a table") : Optional.empty();
    }
  },
  /**
   * A column type change to a type that holds less: shorter character types, smaller integers,
   * less decimal precision/scale, float to exact. Recognises {@code ALTER COLUMN c [SET DATA] TYPE
   * t} (PostgreSQL, H2), {@code ALTER COLUMN c t} (H2), {@code MODIFY [COLUMN] c t} and {@code
   * CHANGE [COLUMN] old new t} (MySQL/MariaDB); the current type comes from earlier statements of
   * the same check or the live database.
   */
  NARROW_COLUMN_TYPE("narrow-column-type", "Narrowing a column's type can truncate or reject existing data") {
    private final Pattern alter = Pattern.compile("\\bALTER\\s+(?:COLUMN\\s+)?(" + NAME
        + ")\\s+(?:SET\\s+DATA\\s+TYPE\\s+|TYPE\\s+|(?!SET\\b|DROP\\b|TYPE\\b|ADD\\b|RESTART\\b|RENAME\\b|INVISIBLE\\b|VISIBLE\\b))(" + TYPE + ")", FLAGS);
    private final Pattern modify = Pattern.compile("\\bMODIFY\\s+(?:COLUMN\\s+)?(" + NAME + ")\\s+(" + TYPE + ")", FLAGS);
    private final Pattern change = Pattern.compile("\\bCHANGE\\s+(?:COLUMN\\s+)?(" + NAME + ")\\s+(" + NAME + ")\\s+(" + TYPE + ")", FLAGS);

    @Override
    Optional<String> find(String sql, ColumnTypes types) {
      Matcher table = ALTER_TABLE.matcher(sql);
      if (!table.lookingAt()) {
        return Optional.empty();
      }
      String t = lastPart(table.group(1));
      for (Pattern p : new Pattern[] {alter, modify, change}) {
        Matcher m = p.matcher(sql);
        m.region(table.end(), sql.length());
        while (m.find()) {
          String column = unquote(m.group(1));
          SqlType to = SqlType.parse(m.group(m.groupCount()));
          Optional<SqlType> from = types.typeOf(t, column);
          if (from.isPresent()) {
            Optional<String> why = from.get().narrowing(to);
            if (why.isPresent()) {
              return Optional.of("narrows " + t + "." + column + ": " + why.get());
            }
          }
        }
      }
      return Optional.empty();
    }

    @Override
    void recordTypes(String sql, java.util.function.BiConsumer<String, SqlType> sink) {
      Matcher table = ALTER_TABLE.matcher(sql);
      if (!table.lookingAt()) {
        return;
      }
      String t = lastPart(table.group(1));
      for (Pattern p : new Pattern[] {alter, modify}) {
        Matcher m = p.matcher(sql);
        m.region(table.end(), sql.length());
        while (m.find()) {
          sink.accept(t + "." + unquote(m.group(1)), SqlType.parse(m.group(2)));
        }
      }
      Matcher m = change.matcher(sql);
      m.region(table.end(), sql.length());
      while (m.find()) {
        sink.accept(t + "." + unquote(m.group(2)), SqlType.parse(m.group(3)));
      }
    }
  };

  private static final int FLAGS = Pattern.CASE_INSENSITIVE | Pattern.DOTALL;
  static final String NAME = "(?:[\\w$]+|\"[^\"]+\"|`[^`]+`|\\[[^\\]]+\\])(?:\\.(?:[\\w$]+|\"[^\"]+\"|`[^`]+`|\\[[^\\]]+\\]))*";
  private static final String TYPE = "[A-Za-z_][\\w]*(?:\\s+(?:varying|precision|unsigned))*(?:\\s*\\(\\s*\\d+\\s*(?:,\\s*\\d+\\s*)?\\))?";
  private static final Pattern ALTER_TABLE = Pattern.compile("ALTER\\s+TABLE\\s+(?:IF\\s+EXISTS\\s+)?(?:ONLY\\s+)?(" + NAME + ")", FLAGS);

  private final String id;
  private final String description;

  BuiltinCheck(String id, String description) {
    this.id = id;
    this.description = description;
  }

  /** The rule id, for example {@code drop-table}. */
  public String id() {
    return id;
  }

  public String description() {
    return description;
  }

  abstract Optional<String> find(String sql, ColumnTypes types);

  /** Column types this statement sets (table.column lower case → type), for later statements. */
  void recordTypes(String sql, java.util.function.BiConsumer<String, SqlType> sink) {}

  /** The built-in check with this rule id, or empty. */
  public static Optional<BuiltinCheck> byId(String id) {
    for (BuiltinCheck c : values()) {
      if (c.id.equalsIgnoreCase(id)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  static String unquote(String name) {
    String n = name.strip();
    if (n.length() >= 2 && (n.startsWith("\"") || n.startsWith("`") || n.startsWith("["))) {
      return n.substring(1, n.length() - 1);
    }
    return n;
  }

  /** The last part of a possibly qualified, possibly quoted name: {@code public."T"} → {@code T}. */
  static String lastPart(String qualified) {
    int start = 0;
    char quote = 0;
    for (int i = 0; i < qualified.length(); i++) {
      char c = qualified.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        }
      } else if (c == '"' || c == '`') {
        quote = c;
      } else if (c == '[') {
        quote = ']';
      } else if (c == '.') {
        start = i + 1;
      }
    }
    return unquote(qualified.substring(start));
  }
}
