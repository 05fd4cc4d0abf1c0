package io.dbops.controlplane.catalog;

import java.util.List;

/** A catalog request that cannot be done; {@link CatalogRoutes} maps {@link #reason} to a status. */
public final class CatalogException extends RuntimeException {
  /** Why: invalid input (every problem listed), an unknown object, or one still in use. */
  public enum Reason { INVALID, NOT_FOUND, CONFLICT }

  private final Reason reason;
  private final List<String> problems;

  CatalogException(Reason reason, String message, List<String> problems) {
    super(message);
    this.reason = reason;
    this.problems = List.copyOf(problems);
  }

  static CatalogException invalid(String what, List<String> problems) {
    return new CatalogException(Reason.INVALID, what + ": " + problems.size() + " problem(s); see"
        + " details", problems);
  }

  static CatalogException notFound(Kind kind, String name) {
    return new CatalogException(Reason.NOT_FOUND, "No " + kind.id() + " '" + name + "'; list them"
        + " with GET /api/v1/" + kind.plural() + " or `dbops get " + kind.plural() + "`", List.of());
  }

  public Reason reason() {
    return reason;
  }

  public List<String> problems() {
    return problems;
  }
}
