package io.dbops.step.policy;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A column type as far as the narrowing check understands it: a family and its size. Immutable.
 *
 * @param family CHAR (size = max length), INTEGER (size = bytes), DECIMAL (size = precision,
 *     scale), FLOAT (size = bytes) or OTHER
 * @param text the type as written
 */
public record SqlType(Family family, long size, int scale, String text) {

  /** Type families the narrowing check compares within. */
  public enum Family { CHAR, INTEGER, DECIMAL, FLOAT, OTHER }

  private static final Pattern SHAPE = Pattern.compile(
      "\\s*([a-z_][a-z0-9_]*(?:\\s+(?:varying|precision|large\\s+object|unsigned))*)\\s*(?:\\(\\s*(\\d+)\\s*(?:,\\s*(\\d+)\\s*)?\\))?.*",
      Pattern.DOTALL);
  private static final long UNBOUNDED = Long.MAX_VALUE;
  private static final Map<String, Long> TEXTS = Map.of("tinytext", 255L, "text", 65_535L, "mediumtext", 16_777_215L,
      "longtext", 4_294_967_295L, "clob", UNBOUNDED, "character large object", UNBOUNDED, "string", UNBOUNDED);
  private static final Map<String, Long> INTEGERS = Map.ofEntries(Map.entry("tinyint", 1L), Map.entry("smallint", 2L),
      Map.entry("int2", 2L), Map.entry("smallserial", 2L), Map.entry("mediumint", 3L), Map.entry("int", 4L),
      Map.entry("integer", 4L), Map.entry("int4", 4L), Map.entry("serial", 4L), Map.entry("bigint", 8L),
      Map.entry("int8", 8L), Map.entry("bigserial", 8L));
  private static final Map<Long, Integer> INTEGER_DIGITS = Map.of(1L, 3, 2L, 5, 3L, 7, 4L, 10, 8L, 19);

  /** Parses "VARCHAR(50)", "character varying(100)", "numeric(10,2)", "int4", "text", ... */
  public static SqlType parse(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
    Matcher m = SHAPE.matcher(t);
    if (!m.matches()) {
      return new SqlType(Family.OTHER, 0, 0, text.strip());
    }
    String base = m.group(1).replace(" unsigned", "").strip();
    Long a = m.group(2) == null ? null : Long.parseLong(m.group(2));
    int b = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
    String shown = text.strip();
    switch (base) {
      case "varchar", "character varying", "nvarchar", "varchar2", "nvarchar2", "varbinary", "varchar_ignorecase" -> {
        return new SqlType(Family.CHAR, a == null ? UNBOUNDED : a, 0, shown);
      }
      case "char", "character", "nchar", "bpchar", "binary" -> {
        return new SqlType(Family.CHAR, a == null ? 1 : a, 0, shown);
      }
      case "numeric", "decimal", "number", "dec" -> {
        return new SqlType(Family.DECIMAL, a == null ? 1000 : a, a == null ? 1000 : b, shown);
      }
      case "real", "float4" -> {
        return new SqlType(Family.FLOAT, 4, 0, shown);
      }
      case "double", "double precision", "float8", "float" -> {
        return new SqlType(Family.FLOAT, 8, 0, shown);
      }
      default -> {
        if (TEXTS.containsKey(base)) {
          return new SqlType(Family.CHAR, TEXTS.get(base), 0, shown);
        }
        if (INTEGERS.containsKey(base)) {
          return new SqlType(Family.INTEGER, INTEGERS.get(base), 0, shown);
        }
        return new SqlType(Family.OTHER, 0, 0, shown);
      }
    }
  }

  /** Why changing a column from {@code this} to {@code to} can lose data, or empty when it cannot (as far as known). */
  public Optional<String> narrowing(SqlType to) {
    String change = text + " -> " + to.text;
    if (family == to.family) {
      return switch (family) {
        case CHAR -> to.size < size ? Optional.of(change + " (shorter)") : Optional.empty();
        case INTEGER, FLOAT -> to.size < size ? Optional.of(change + " (smaller)") : Optional.empty();
        case DECIMAL -> to.size < size || to.scale < scale
            ? Optional.of(change + " (less precision or scale)") : Optional.empty();
        case OTHER -> Optional.empty();
      };
    }
    if (family == Family.INTEGER && to.family == Family.DECIMAL && to.size - to.scale < INTEGER_DIGITS.get(size)) {
      return Optional.of(change + " (fewer integer digits)");
    }
    if (family == Family.DECIMAL && to.family == Family.INTEGER
        && (scale > 0 || size - scale > INTEGER_DIGITS.get(to.size))) {
      return Optional.of(change + " (drops the fraction or integer digits)");
    }
    if (family == Family.FLOAT && (to.family == Family.INTEGER || to.family == Family.DECIMAL)) {
      return Optional.of(change + " (floating point to exact type)");
    }
    return Optional.empty();
  }
}
