package io.dbops.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The rule for Liquibase's table and schema names of a target ({@code databaseChangelogTableName},
 * {@code databaseChangelogLockTableName}, {@code defaultSchemaName}, {@code liquibaseSchemaName}):
 * a plain SQL identifier, so that the name means the same on every database and can never carry
 * SQL. Default deny: anything else is refused, naming the field. One rule for the pipeline file,
 * {@code dbops step} and the step runtime's request. Pure.
 */
public final class LiquibaseNames {
  /** Letters, digits, '_' and '$', starting with a letter or '_', at most 63 characters (PostgreSQL's limit). */
  public static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]{0,62}");
  /** What {@link #IDENTIFIER} allows, in words, for messages. */
  public static final String RULE = "letters, digits, '_' and '$', starting with a letter or '_', at most 63"
      + " characters";

  private LiquibaseNames() {}

  /**
   * A problem with one name, or null when it is absent (null or empty: Liquibase's default) or
   * valid. The value is echoed only when it is short and printable.
   */
  public static String problem(String field, String value) {
    if (value == null || value.isEmpty() || IDENTIFIER.matcher(value).matches()) {
      return null;
    }
    boolean echo = value.length() <= 80 && value.chars().allMatch(c -> c >= 0x20 && c < 0x7f);
    return field + " must be a plain identifier (" + RULE + ")" + (echo ? ", not '" + value + "'" : "");
  }

  /** Every problem with the four names of {@code database}, each prefixed with {@code where}. */
  public static List<String> problems(String where, Database database) {
    List<String> problems = new ArrayList<>();
    if (database == null) {
      return problems;
    }
    add(problems, problem(where + ".databaseChangelogTableName", database.databaseChangelogTableName()));
    add(problems, problem(where + ".databaseChangelogLockTableName", database.databaseChangelogLockTableName()));
    add(problems, problem(where + ".defaultSchemaName", database.defaultSchemaName()));
    add(problems, problem(where + ".liquibaseSchemaName", database.liquibaseSchemaName()));
    return problems;
  }

  private static void add(List<String> problems, String problem) {
    if (problem != null) {
      problems.add(problem);
    }
  }
}
