package io.dbops.step.drift;

import java.util.Objects;

/**
 * One way the live schema differs from the expected one. Immutable.
 *
 * @param change {@code missing} (expected, not in the live schema), {@code extra} (in the live
 *     schema, not expected) or {@code changed}
 * @param objectType table, view, column, primaryKey, index, foreignKey or sequence (PostgreSQL)
 * @param table the table the object belongs to (the table itself for table/view, the sequence
 *     itself for sequence)
 * @param name the object's name (column, index or foreign key name; the table name for tables)
 * @param expected what the changesets produce; empty for {@code extra}
 * @param actual what the live schema has; empty for {@code missing}
 */
public record Difference(String change, String objectType, String table, String name, String expected, String actual) {
  public Difference {
    Objects.requireNonNull(change, "change");
    Objects.requireNonNull(objectType, "objectType");
    table = table == null ? "" : table;
    name = name == null ? "" : name;
    expected = expected == null ? "" : expected;
    actual = actual == null ? "" : actual;
  }

  /** One line for the step log, for example "extra column person.nickname: varchar(50) NULL". */
  public String describe() {
    String what = objectType.equals("table") || objectType.equals("view") || objectType.equals("sequence")
        ? objectType + " " + table
        : objectType + " " + table + "." + name;
    return switch (change) {
      case "missing" -> "missing " + what + (expected.isEmpty() ? "" : ": expected " + expected);
      case "extra" -> "extra " + what + (actual.isEmpty() ? "" : ": " + actual);
      default -> "changed " + what + ": expected " + expected + ", found " + actual;
    };
  }
}
