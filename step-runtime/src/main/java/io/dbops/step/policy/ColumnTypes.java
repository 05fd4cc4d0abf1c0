package io.dbops.step.policy;

import java.util.Optional;

/** The current type of a column, for the type-narrowing check. */
@FunctionalInterface
public interface ColumnTypes {
  /** Nothing known about any column. */
  ColumnTypes NONE = (table, column) -> Optional.empty();

  /**
   * @param table table name as written in the statement, without schema or quotes
   * @param column column name as written, without quotes
   */
  Optional<SqlType> typeOf(String table, String column);
}
