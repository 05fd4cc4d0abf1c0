package io.dbops.step.policy;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A pending changeset and the SQL statements it would run, as a preview renders them. Immutable.
 *
 * @param contexts the context names its context expression mentions (lower case, without
 *     operators)
 * @param labels its labels
 */
public record PlannedChangeSet(String file, String id, String author, Set<String> contexts, Set<String> labels,
    List<String> statements) {

  public PlannedChangeSet {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(author, "author");
    contexts = contexts == null ? Set.of() : Set.copyOf(contexts);
    labels = labels == null ? Set.of() : Set.copyOf(labels);
    statements = List.copyOf(statements);
  }

  /** {@code file::id::author}, as Liquibase names a changeset. */
  public String name() {
    return file + "::" + id + "::" + author;
  }
}
