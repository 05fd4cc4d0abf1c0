package io.dbops.step.policy;

/**
 * A statement that broke a rule. Immutable.
 *
 * @param changeSet {@code file::id::author}
 * @param statement the offending statement (one line, as rendered)
 * @param detail what exactly the check found (for example "VARCHAR(100) -> VARCHAR(20)")
 */
public record Violation(String rule, String description, PolicyRule.Severity severity, String changeSet,
    String statement, String detail) {

  /** One line for the step log and the error. */
  public String describe() {
    String stmt = statement.length() > 300 ? statement.substring(0, 300) + "..." : statement;
    return "rule " + rule + (description.isEmpty() ? "" : " (" + description + ")") + " in changeset " + changeSet
        + (detail.isEmpty() ? "" : ": " + detail) + " | statement: " + stmt;
  }
}
