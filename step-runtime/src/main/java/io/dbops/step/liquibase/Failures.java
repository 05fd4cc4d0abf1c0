package io.dbops.step.liquibase;

import java.sql.SQLException;
import liquibase.exception.ChangeLogParseException;
import liquibase.exception.CommandExecutionException;
import liquibase.exception.ValidationFailedException;

/** Turns Liquibase's exception chains into one line an operator can act on. No stack traces. */
final class Failures {
  private Failures() {}

  /** The most useful message in the chain: the database's own, else Liquibase's. */
  static String describe(Throwable failure) {
    SQLException sql = find(failure, SQLException.class);
    if (sql != null && sql.getMessage() != null) {
      return oneLine(sql.getMessage());
    }
    ValidationFailedException validation = find(failure, ValidationFailedException.class);
    if (validation != null) {
      return oneLine(validation.getMessage());
    }
    ChangeLogParseException parse = find(failure, ChangeLogParseException.class);
    if (parse != null) {
      return oneLine(deepestMessage(parse));
    }
    return oneLine(deepestMessage(failure));
  }

  static <T extends Throwable> T find(Throwable failure, Class<T> type) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  /**
   * The innermost message that is not just a wrapper's "SomeException: message" echo of its cause.
   */
  private static String deepestMessage(Throwable failure) {
    String best = null;
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank() && !(t instanceof CommandExecutionException
          && t.getCause() != null)) {
        best = stripClassPrefix(t.getMessage());
      }
    }
    return best != null ? best : failure.getClass().getSimpleName();
  }

  private static String stripClassPrefix(String message) {
    return message.replaceAll("^(?:[a-z_$][\\w$]*\\.)+[A-Z][\\w$]*(?:Exception|Error): ", "");
  }

  static String oneLine(String text) {
    return text == null ? "" : text.strip().replaceAll("\\s*\\R\\s*", " ");
  }
}
